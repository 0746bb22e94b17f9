import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildContext } from '../../../shared/context/index.ts';
import { readSettings } from '../../../shared/settings/index.ts';
import { planMessage } from '../../../plugins/discord/message.ts';
import { settings } from '../../../plugins/discord/settings.ts';
import { droneBuildEnv } from '../../support/drone-env.ts';

const values = (env: Record<string, string> = {}) => readSettings(settings, { PLUGIN_WEBHOOK_URL: 'https://discord.com/api/webhooks/1/t', ...env }).values;
const build = (env: Record<string, string> = {}) => buildContext({ ...droneBuildEnv, ...env });

test('the default embed describes pull requests and tags as drone-discord does', () => {
  const pr = planMessage(values(), build({ DRONE_BUILD_EVENT: 'pull_request', DRONE_COMMIT_REF: 'refs/pull/7/head' }), undefined);
  assert.equal(pr.payload.embeds![0]!.description, 'octocat updated pull request refs/pull/7/head');
  const tag = planMessage(values(), build({ DRONE_BUILD_EVENT: 'tag', DRONE_TAG: 'v1.2.0' }), undefined);
  assert.equal(tag.payload.embeds![0]!.description, 'octocat pushed tag v1.2.0');
});

test("a commit title longer than an embed title is cut to Discord's 256", () => {
  const long = planMessage(values(), build({ DRONE_COMMIT_MESSAGE: 'x'.repeat(300) }), undefined);
  const title = long.payload.embeds![0]!.title!;
  assert.equal([...title].length, 256);
  assert.ok(title.endsWith('\u2026'));
});

test('flags add up; wait and thread_id are query parameters, not body fields', () => {
  const m = planMessage(values({ PLUGIN_FLAGS: 'suppress_notifications', PLUGIN_WAIT: 'true', PLUGIN_THREAD_ID: '99' }), build(), { name: 'settings.message', text: 'hi' });
  assert.deepEqual(m, { payload: { content: 'hi', username: undefined, avatar_url: undefined, tts: undefined, embeds: undefined, thread_name: undefined, flags: 4096 }, query: { wait: 'true', thread_id: '99' } });
});

test('limits count code points, and name where the text came from', () => {
  assert.doesNotThrow(() => planMessage(values(), build(), { name: 'settings.message', text: '\u{1f680}'.repeat(2000) }));
  assert.throws(() => planMessage(values(), build(), { name: 'ci/discord.hbs', text: 'x'.repeat(2001) }), /^PluginError: ci\/discord\.hbs: the message content has 2001 characters/);
  assert.throws(() => planMessage(values({ PLUGIN_USERNAME: 'u'.repeat(81) }), build(), undefined), /settings\.username: the username has 81 characters; Discord takes at most 80/);
  assert.throws(() => planMessage(values(), build(), undefined, 'p'.repeat(101)), /settings\.thread_name: the post name has 101 characters/);
});

test('the colour: hex as given, else by status', () => {
  assert.equal(planMessage(values({ PLUGIN_COLOR: 'ffd930' }), build(), undefined).payload.embeds![0]!.color, 0xffd930);
  assert.equal(planMessage(values(), build({ DRONE_BUILD_STATUS: 'killed' }), undefined).payload.embeds![0]!.color, 0xff3232);
});
