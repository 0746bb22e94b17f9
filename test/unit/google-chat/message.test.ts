import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planMessage } from '../../../plugins/google-chat/message.ts';
import { settings } from '../../../plugins/google-chat/settings.ts';
import { buildContext } from '../../../shared/context/index.ts';
import { readSettings } from '../../../shared/settings/index.ts';
import { droneBuildEnv } from '../../support/drone-env.ts';

const build = buildContext(droneBuildEnv);
const SPACE = 'https://chat.googleapis.com/v1/spaces/AAAA';
const values = (env: Record<string, string>) => readSettings(settings, env).values;

test('the webhook as Google gives it is used as it is; a space URL gets /messages, key and token', () => {
  assert.equal(planMessage(values({ PLUGIN_WEBHOOK: `${SPACE}/messages?key=K&token=T` }), build).url, `${SPACE}/messages?key=K&token=T`);
  assert.equal(planMessage(values({ PLUGIN_WEBHOOK: `${SPACE}/`, PLUGIN_KEY: 'K', PLUGIN_TOKEN: 'T' }), build).url, `${SPACE}/messages?key=K&token=T`);
});

test('a thread key goes into the message, the reply option into the query', () => {
  const { url, message } = planMessage(values({ PLUGIN_WEBHOOK: `${SPACE}/messages?key=K&token=T`, PLUGIN_THREAD_KEY: 'build 42' }), build);
  assert.deepEqual(message.thread, { threadKey: 'build 42' });
  assert.equal(new URL(url).searchParams.get('messageReplyOption'), 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD');
});

test('card text is escaped for its HTML subset; the header stays plain text', () => {
  const b = buildContext({ ...droneBuildEnv, DRONE_COMMIT_AUTHOR: 'a<b>&c' });
  const { message } = planMessage(values({ PLUGIN_WEBHOOK: `${SPACE}/messages?key=K&token=T` }), b);
  const card = message.cardsV2![0]!.card as { header: { subtitle: string }; sections: Array<{ widgets: Array<{ decoratedText?: { topLabel: string; text: string } }> }> };
  assert.equal(card.header.subtitle, `Merge 'x' <y> & "z"`);
  assert.equal(card.sections[0]!.widgets.find((w) => w.decoratedText?.topLabel === 'Author')?.decoratedText?.text, 'a&lt;b&gt;&amp;c');
});

test('an unknown status is amber; without a build link there is no button', () => {
  const b = buildContext({ CI: 'woodpecker', CI_PIPELINE_NUMBER: '1', CI_COMMIT_SHA: 'abcdef0123' });
  const { message } = planMessage(values({ PLUGIN_WEBHOOK: `${SPACE}/messages?key=K&token=T` }), b);
  const widgets = (message.cardsV2![0]!.card as { sections: Array<{ widgets: Array<Record<string, unknown>> }> }).sections[0]!.widgets;
  assert.deepEqual(widgets[0], { decoratedText: { topLabel: 'Status', text: '<font color="#f9ab00"><b>unknown</b></font>' } });
  assert.ok(!widgets.some((w) => 'buttonList' in w));
});

test('32,000 bytes: checked on text and card together', () => {
  const s = values({ PLUGIN_WEBHOOK: `${SPACE}/messages?key=K&token=T` });
  assert.throws(() => planMessage(s, build, { setting: 'template', text: 'x'.repeat(32_000) }), /more than the 32000 Google Chat takes: shorten what settings\.template gives/);
  assert.doesNotThrow(() => planMessage(s, build, { setting: 'template', text: 'x'.repeat(30_000) }));
});

test("drone-google-chat's README form: the URL without &token=, and the token apart", () => {
  assert.equal(planMessage(values({ PLUGIN_WEBHOOK: `${SPACE}/messages?key=K`, PLUGIN_TOKEN: 'T' }), build).url, `${SPACE}/messages?key=K&token=T`);
});
