import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type SlackStandIn, startSlackStandIn } from '../components/slack/server.ts';
import { defaultSlackStep, droneStepEnv, failedRunnerStatusFile } from '../support/drone-env.ts';
import { runBundle } from '../support/run-bundle.ts';

let slack: SlackStandIn;
let workspace: string;
before(async () => {
  slack = await startSlackStandIn();
});
after(() => slack.close());
beforeEach(() => {
  slack.received.length = 0;
  workspace = mkdtempSync(join(tmpdir(), 'slack-ws-'));
});

function run(settings: Record<string, string>, extra: Record<string, string> = {}) {
  return runBundle('slack', { ...droneStepEnv(workspace), ...settings, ...extra });
}

function noSecretsIn(output: string) {
  assert.ok(!output.includes('sortie-webhook-secret-path'), `the webhook URL leaked:\n${output}`);
  assert.ok(!output.includes(slack.token), `the token leaked:\n${output}`);
}

describe('webhook', () => {
  test('the default message, exactly as plugins/slack sends it', async () => {
    const r = await run({ PLUGIN_WEBHOOK: slack.webhookUrl, ...defaultSlackStep.settings });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'sent the success message to #deployments\n');
    assert.equal(slack.received.length, 1);
    assert.deepEqual(slack.received[0]!.body, defaultSlackStep.payload);
  });

  test("the runner's status file turns a success environment into a failure message", async () => {
    const statusFile = join(workspace, 'env');
    writeFileSync(statusFile, failedRunnerStatusFile);
    const r = await run({ PLUGIN_WEBHOOK: slack.webhookUrl, PLUGIN_ENV_FILE: statusFile });
    assert.equal(r.code, 0, r.stderr);
    const attachment = (slack.received[0]!.body as { attachments: Array<{ color: string; text: string }> }).attachments[0]!;
    assert.equal(attachment.color, 'danger');
    assert.match(attachment.text, /^\*failure\* /);
  });

  test('SLACK_WEBHOOK is read too, and recipient wins over channel', async () => {
    const r = await run({ PLUGIN_CHANNEL: 'general', PLUGIN_RECIPIENT: 'octocat' }, { SLACK_WEBHOOK: slack.webhookUrl });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((slack.received[0]!.body as { channel: string }).channel, '@octocat');
  });

  test('inline template, Slack escaping, mentions, colour, image, link_names', async () => {
    const r = await run({
      PLUGIN_WEBHOOK: slack.webhookUrl,
      PLUGIN_TEMPLATE: '{{#success build.status}}{{build.message.title}} by {{build.author.name}}{{else}}failed{{/success}}',
      PLUGIN_MENTIONS: 'U123,here,@channel',
      PLUGIN_COLOR: '#00ff00',
      PLUGIN_IMAGE_URL: 'https://example.com/i.png',
      PLUGIN_LINK_NAMES: 'true',
    });
    assert.equal(r.code, 0, r.stderr);
    const body = slack.received[0]!.body as { link_names: boolean; attachments: Array<Record<string, string>> };
    assert.equal(body.link_names, true);
    assert.equal(body.attachments[0]!.text, `<@U123> <!here> <!channel> Merge 'x' &lt;y&gt; &amp; "z" by The Octocat`);
    assert.equal(body.attachments[0]!.color, '#00ff00');
    assert.equal(body.attachments[0]!.image_url, 'https://example.com/i.png');
  });

  test('template_success / template_failure pick by outcome and fall back to template', async () => {
    const settings = { PLUGIN_WEBHOOK: slack.webhookUrl, PLUGIN_TEMPLATE: 'generic', PLUGIN_TEMPLATE_FAILURE: 'broke: {{build.status}}' };
    await run(settings);
    await run(settings, { DRONE_FAILED_STEPS: 'test' });
    const texts = slack.received.map((r) => (r.body as { attachments: Array<{ text: string }> }).attachments[0]!.text);
    assert.deepEqual(texts, ['generic', 'broke: failure']);
  });

  test('templates from a workspace file, a file:// URL and an http URL; a fallback template', async () => {
    writeFileSync(join(workspace, 'slack.hbs'), 'from file {{build.number}}\n');
    writeFileSync(join(workspace, 'abs.hbs'), 'from file:// {{repo.name}}');
    const templates = http.createServer((_req, res) => res.end('from http {{build.branch}}'));
    await new Promise<void>((r) => templates.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(templates.address() as AddressInfo).port}/t.hbs`;
    try {
      for (const template of ['slack.hbs', `file://${join(workspace, 'abs.hbs')}`, url]) {
        const r = await run({ PLUGIN_WEBHOOK: slack.webhookUrl, PLUGIN_TEMPLATE: template, PLUGIN_FALLBACK: '{{build.status}} #{{build.number}}' });
        assert.equal(r.code, 0, r.stderr);
      }
    } finally {
      templates.close();
    }
    const sent = slack.received.map((r) => (r.body as { attachments: Array<{ text: string; fallback: string }> }).attachments[0]!);
    assert.deepEqual(sent.map((a) => a.text), ['from file 42', 'from file:// hello-world', 'from http main']);
    assert.equal(sent[0]!.fallback, 'success #42');
  });

  test('custom blocks of any type go next to the attachment', async () => {
    const blocks = [{ type: 'header', text: { type: 'plain_text', text: 'Deployed' } }, { type: 'divider' }];
    const r = await run({ PLUGIN_WEBHOOK: slack.webhookUrl, PLUGIN_CUSTOM_BLOCK: JSON.stringify({ blocks }) });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((slack.received[0]!.body as { blocks: unknown }).blocks, blocks);
  });

  test('retries after 429 (honouring Retry-After) and 500', async () => {
    slack.script([{ status: 429, headers: { 'retry-after': '0' }, body: 'rate_limited' }, { status: 500, body: 'oops' }]);
    const r = await run({ PLUGIN_WEBHOOK: slack.webhookUrl });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(slack.received.length, 3);
    assert.match(r.stdout, /HTTP 429; retrying in 0 s/);
    assert.match(r.stdout, /HTTP 500; retrying/);
    noSecretsIn(r.stdout + r.stderr);
  });
});

describe('Web API with a token', () => {
  test('chat.postMessage keeps colour, username and icon; auth.test first', async () => {
    const r = await run({ PLUGIN_ACCESS_TOKEN: slack.token, PLUGIN_API_URL: slack.apiUrl, PLUGIN_CHANNEL: '#ops', PLUGIN_USERNAME: 'drone', PLUGIN_ICON_URL: 'https://example.com/icon.png' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(slack.received.map((x) => x.path), ['/api/auth.test', '/api/chat.postMessage']);
    const body = slack.received[1]!.body as Record<string, unknown>;
    assert.equal(slack.received[1]!.headers.authorization, `Bearer ${slack.token}`);
    assert.equal(body.channel, '#ops');
    assert.equal(body.username, 'drone');
    assert.equal(body.icon_url, 'https://example.com/icon.png');
    assert.equal(body.text, 'success octocat/hello-world#7fd1a60b (main) by octocat');
    assert.equal((body.attachments as Array<{ color: string }>)[0]!.color, 'good');
    noSecretsIn(r.stdout + r.stderr);
  });

  test('thread_ts_file: the first message writes the thread, later ones reply in it', async () => {
    const settings = { PLUGIN_ACCESS_TOKEN: slack.token, PLUGIN_API_URL: slack.apiUrl, PLUGIN_CHANNEL: 'ops', PLUGIN_THREAD_TS_FILE: '.drone/slack-thread.json' };
    const first = await run(settings);
    assert.equal(first.code, 0, first.stderr);
    const saved = JSON.parse(readFileSync(join(workspace, '.drone/slack-thread.json'), 'utf8')) as { channel: string; ts: string };
    assert.equal(saved.channel, 'C0000SORT');
    assert.match(saved.ts, /^\d+\.000100$/);
    const second = await run(settings, { DRONE_STEP_NAME: 'notify-again' });
    assert.equal(second.code, 0, second.stderr);
    assert.equal((slack.received[3]!.body as { thread_ts: string }).thread_ts, saved.ts);
    assert.match(second.stdout, new RegExp(`in thread ${saved.ts.replace('.', '\\.')}`));
  });

  test('a bad token fails with Slack\'s error and a hint, nothing posted', async () => {
    const r = await run({ PLUGIN_ACCESS_TOKEN: 'xoxb-wrong-token-value', PLUGIN_API_URL: slack.apiUrl, PLUGIN_CHANNEL: 'ops' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /auth\.test failed: Slack answered invalid_auth/);
    assert.match(r.stdout, /hint: The token is not valid/);
    assert.deepEqual(slack.received.map((x) => x.path), ['/api/auth.test']);
    assert.ok(!(r.stdout + r.stderr).includes('xoxb-wrong-token-value'));
  });
});

describe('errors: clear message, exit 1, nothing sent, no secret shown', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['no webhook and no token', {}, /set one of settings\.webhook or settings\.access_token\. Example: webhook: /],
    ['invalid Block Kit JSON', { PLUGIN_CUSTOM_BLOCK: '{"blocks": [' }, /settings\.custom_block: invalid JSON/],
    ['a block without a type', { PLUGIN_CUSTOM_BLOCK: '{"blocks": [{"text": "x"}]}' }, /settings\.custom_block: block 1 has no "type"/],
    ['a template syntax error', { PLUGIN_TEMPLATE: 'hello {{#if build.status}} unclosed' }, /template "settings\.template".*line 1/],
    ['an unreadable template file', { PLUGIN_TEMPLATE: 'file:///nonexistent/slack.hbs' }, /settings\.template.*\/nonexistent\/slack\.hbs/],
    ['thread_ts_file without a token', { PLUGIN_THREAD_TS_FILE: 't.json' }, /settings\.thread_ts_file needs settings\.access_token/],
    ['a malformed timeout', { PLUGIN_TIMEOUT: 'soon' }, /settings\.timeout: expected a duration, got "soon"/],
  ];
  for (const [name, settings, message] of cases) {
    test(name, async () => {
      const r = await run({ PLUGIN_WEBHOOK: name.startsWith('no webhook') ? '' : slack.webhookUrl, ...settings });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, message);
      assert.equal(slack.received.length, 0);
      noSecretsIn(r.stdout + r.stderr);
    });
  }

  test("Slack's 4xx answers fail the step with Slack's text and a hint", async () => {
    const removed = await run({ PLUGIN_WEBHOOK: `${slack.url}/services/T1/B1/removed-hook-secret`, PLUGIN_DEBUG: 'true' });
    assert.equal(removed.code, 1);
    assert.match(removed.stderr, /posting to the webhook failed: Slack answered HTTP 404 no_service/);
    assert.match(removed.stdout, /hint: The webhook was removed or disabled/);
    assert.ok(!(removed.stdout + removed.stderr).includes('removed-hook-secret'), 'the webhook URL leaked');
    const missing = await run({ PLUGIN_WEBHOOK: slack.webhookUrl, PLUGIN_CHANNEL: 'missing' });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /HTTP 404 channel_not_found/);
  });

  test('with debug on, the message is printed and the webhook still is not', async () => {
    const r = await run({ PLUGIN_WEBHOOK: slack.webhookUrl, PLUGIN_DEBUG: 'true' });
    assert.equal(r.code, 0);
    assert.match(r.stderr, /debug: message: \{/);
    noSecretsIn(r.stdout + r.stderr);
  });
});
