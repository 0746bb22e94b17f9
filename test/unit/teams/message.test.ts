import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planMessage } from '../../../plugins/teams/message.ts';
import { settings } from '../../../plugins/teams/settings.ts';
import { buildContext } from '../../../shared/context/index.ts';
import { readSettings } from '../../../shared/settings/index.ts';
import { droneBuildEnv } from '../../support/drone-env.ts';

const build = buildContext({ ...droneBuildEnv, DRONE_COMMIT_LINK: 'https://github.com/octocat/hello-world/commit/7fd1a60b' });
const values = (env: Record<string, string> = {}) => readSettings(settings, { PLUGIN_WEBHOOK: 'https://prod-00.westus.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sig=s', ...env }).values;
type Card = { version: string; msteams: Record<string, unknown>; body: Array<Record<string, unknown>>; actions: Array<Record<string, unknown>> };
const cardOf = (m: ReturnType<typeof planMessage>) => m.attachments[0].content as unknown as Card;

test('the envelope Workflows expect, around a 1.4 card at full width', () => {
  const m = planMessage(values(), build, {});
  assert.equal(m.type, 'message');
  assert.equal(m.attachments[0].contentType, 'application/vnd.microsoft.card.adaptive');
  assert.equal(m.attachments[0].contentUrl, null);
  const card = cardOf(m);
  assert.equal(card.version, '1.4');
  assert.deepEqual(card.msteams, { width: 'Full' });
  assert.deepEqual(
    card.actions.map((a) => [a.type, a.title]),
    [
      ['Action.OpenUrl', 'Open build'],
      ['Action.OpenUrl', 'Open commit'],
    ],
  );
});

test('the title colour is a name Teams knows, by status', () => {
  const color = (b = build, env: Record<string, string> = {}) => cardOf(planMessage(values(env), b, {})).body[0]!.color;
  assert.equal(color(), 'good');
  assert.equal(color(buildContext({ ...droneBuildEnv, DRONE_BUILD_STATUS: 'killed' })), 'attention');
  assert.equal(color(buildContext({ CI: 'woodpecker', CI_PIPELINE_NUMBER: '1' })), 'warning');
  assert.equal(color(build, { PLUGIN_STATUS: 'building' }), 'accent');
});

test('rendered text replaces the commit title; a tag is shown instead of the branch', () => {
  const tagged = buildContext({ ...droneBuildEnv, DRONE_TAG: 'v1.2.0', DRONE_BUILD_EVENT: 'tag' });
  const card = cardOf(planMessage(values(), tagged, { text: { setting: 'template', text: '**shipped**' } }));
  assert.equal(card.body[1]!.text, '**shipped**');
  assert.deepEqual((card.body[2]!.facts as unknown[])[0], { title: 'Branch', value: 'v1.2.0' });
});

test("a card of one's own keeps its version and msteams, gains what is missing", () => {
  const card = cardOf(planMessage(values(), build, { card: { name: 'settings.card', text: '{"type": "AdaptiveCard", "version": "1.2", "msteams": {"entities": []}, "body": []}' } }));
  assert.equal(card.version, '1.2');
  assert.deepEqual(card.msteams, { width: 'Full', entities: [] });
  assert.throws(() => planMessage(values(), build, { card: { name: 'cards/x.json', text: '{"type": "AdaptiveCard", "version": "2.0"}' } }), /^PluginError: settings\.card \(cards\/x\.json\): card version "2\.0"/);
  assert.throws(() => planMessage(values(), build, { card: { name: 'settings.card', text: '{"type": "AdaptiveCard", "version": 1.4}' } }), /card version 1\.4: Teams shows/);
});

test('28 KB: the size is checked on the whole message, naming the setting that made it', () => {
  const big = 'x'.repeat(28 * 1024);
  assert.throws(() => planMessage(values(), build, { text: { setting: 'template_failure', text: big } }), /shorten what settings\.template_failure gives/);
  assert.throws(() => planMessage(values({ PLUGIN_FACTS: JSON.stringify([`Log:${big}`]) }), build, {}), /shorten what settings\.facts gives/);
  assert.doesNotThrow(() => planMessage(values(), build, { text: { setting: 'template', text: 'x'.repeat(26 * 1024) } }));
});

test('webhook: retired connector URLs are refused, Workflows URLs of either cloud accepted', () => {
  const check = (url: string) => () => readSettings(settings, { PLUGIN_WEBHOOK: url });
  assert.throws(check('https://contoso.webhook.office.com/webhookb2/a@b/IncomingWebhook/c/d'), /Office 365 connector URL/);
  assert.throws(check('https://outlook.office.com/webhook/a@b/IncomingWebhook/c/d'), /Office 365 connector URL/);
  assert.doesNotThrow(check('https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=x'));
  assert.doesNotThrow(check('https://default0a1b.2c.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke?api-version=1&sig=x'));
});

test('no text and no commit message: no empty TextBlock', () => {
  const card = cardOf(planMessage(values(), buildContext({ ...droneBuildEnv, DRONE_COMMIT_MESSAGE: '' }), {}));
  assert.deepEqual(
    card.body.map((b) => b.type),
    ['TextBlock', 'FactSet'],
  );
});
