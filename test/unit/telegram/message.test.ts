import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildContext } from '../../../shared/context/index.ts';
import { readSettings } from '../../../shared/settings/index.ts';
import { chatsFor, planMessages } from '../../../plugins/telegram/message.ts';
import { settings } from '../../../plugins/telegram/settings.ts';
import { droneBuildEnv } from '../../support/drone-env.ts';

const values = (env: Record<string, string> = {}) => readSettings(settings, { PLUGIN_TOKEN: '1:x', PLUGIN_TO: '-1001234567890', ...env }).values;
const build = buildContext(droneBuildEnv);

test('chatsFor: drone-telegram\'s id:email matching', () => {
  const to = ['1', '2:octocat@github.com', '3:someone@example.com'];
  assert.deepEqual(chatsFor(to, 'octocat@github.com', false), ['1', '2']);
  assert.deepEqual(chatsFor(to, 'octocat@github.com', true), ['2']);
  assert.deepEqual(chatsFor(to, 'nobody@example.com', true), ['1']);
});

test('supergroup ids keep -100 and are numbers; @channels stay names', () => {
  const m = planMessages(values({ PLUGIN_TO: '-1001234567890,@builds' }), build, { name: 'settings.message', text: 'hi' });
  assert.deepEqual(m.map((x) => x.chat_id), [-1001234567890, '@builds']);
});

test('the default message is MarkdownV2 whatever format says; a template follows format', () => {
  assert.equal(planMessages(values({ PLUGIN_FORMAT: 'html' }), build, undefined)[0]!.parse_mode, 'MarkdownV2');
  assert.equal(planMessages(values({ PLUGIN_FORMAT: 'HTML' }), build, { name: 'settings.message', text: '<b>x</b>' })[0]!.parse_mode, 'HTML');
});

test('the 4096 limit counts what Telegram shows, not escapes or markup', () => {
  const escaped = '\\.'.repeat(4096);
  assert.doesNotThrow(() => planMessages(values(), build, { name: 'settings.message', text: escaped }));
  assert.throws(() => planMessages(values(), build, { name: 'settings.message', text: `${escaped}x` }), /settings\.message renders 4097 characters/);
});

test('the default message cuts a huge commit message to fit, where a template would fail', () => {
  const huge = buildContext({ ...droneBuildEnv, DRONE_COMMIT_MESSAGE: 'x'.repeat(10_000) });
  const [m] = planMessages(values(), huge, undefined);
  assert.ok(m!.text.includes(`${'x'.repeat(2999)}\u2026`));
});
