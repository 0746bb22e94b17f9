import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type GoogleChatStandIn, startGoogleChatStandIn } from '../components/google-chat/server.ts';
import { droneBuildEnv, droneStepEnv, failedRunnerStatusFile } from '../support/drone-env.ts';
import { runBundle } from '../support/run-bundle.ts';

let chat: GoogleChatStandIn;
let workspace: string;
before(async () => {
  chat = await startGoogleChatStandIn();
});
after(() => chat.close());
beforeEach(() => {
  chat.received.length = 0;
  workspace = mkdtempSync(join(tmpdir(), 'google-chat-ws-'));
});

function run(settings: Record<string, string>, extra: Record<string, string> = {}) {
  return runBundle('google-chat', { ...droneStepEnv(workspace), PLUGIN_WEBHOOK: chat.webhookUrl, ...settings, ...extra });
}

function noSecretIn(output: string) {
  assert.ok(!output.includes(chat.token), `the token leaked:\n${output}`);
  assert.ok(!output.includes(chat.key), `the key leaked:\n${output}`);
}

type Widget = Record<string, { topLabel?: string; text?: string; buttons?: unknown[] }>;
type Message = { text: string; cardsV2?: Array<{ cardId: string; card: { header: Record<string, string>; sections: Array<{ widgets: Widget[] }> } }> };
const messageOf = (i = 0) => chat.received[i]!.body as Message;

describe('default message', () => {
  test("on success: drone-google-chat's text and a card with the status, facts and a button to the build", async () => {
    const r = await run({});
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'sent the success message to Google Chat\n');
    assert.deepEqual(messageOf(), {
      text: '*success* <https://drone.example.com/octocat/hello-world/42|octocat/hello-world#7fd1a60b> (main) by octocat',
      cardsV2: [
        {
          cardId: 'drone-build',
          card: {
            header: { title: 'octocat/hello-world #42', subtitle: `Merge 'x' <y> & "z"`, imageUrl: 'https://avatars.example.com/octocat', imageType: 'CIRCLE' },
            sections: [
              {
                widgets: [
                  { decoratedText: { topLabel: 'Status', text: '<font color="#1e8e3e"><b>success</b></font>' } },
                  { decoratedText: { topLabel: 'Branch', text: 'main' } },
                  { decoratedText: { topLabel: 'Commit', text: '7fd1a60b' } },
                  { decoratedText: { topLabel: 'Author', text: 'octocat' } },
                  { buttonList: { buttons: [{ text: 'Open build', onClick: { openLink: { url: 'https://drone.example.com/octocat/hello-world/42' } } }] } },
                ],
              },
            ],
          },
        },
      ],
    });
    noSecretIn(r.stdout + r.stderr);
  });

  test("a failure read from the runner's status file: red status, failed steps when the runner names them", async () => {
    const statusFile = join(workspace, 'env');
    writeFileSync(statusFile, failedRunnerStatusFile);
    const r = await run({ PLUGIN_ENV_FILE: statusFile }, { DRONE_FAILED_STEPS: 'test' });
    assert.equal(r.code, 0, r.stderr);
    const m = messageOf();
    assert.match(m.text, /^\*failure\* /);
    const widgets = m.cardsV2![0]!.card.sections[0]!.widgets;
    assert.equal(widgets[0]!.decoratedText!.text, '<font color="#d93025"><b>failure</b></font>');
    assert.deepEqual(widgets[4], { decoratedText: { topLabel: 'Failed steps', text: 'test' } });
  });

  test("the space URL with key and token apart, as drone-google-chat took them; card: false sends the text alone", async () => {
    const r = await run({ PLUGIN_WEBHOOK: chat.spaceUrl, PLUGIN_KEY: chat.key, PLUGIN_TOKEN: chat.token, PLUGIN_CARD: 'false' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(messageOf().cardsV2, undefined);
    assert.deepEqual(chat.received[0]!.query, { key: chat.key, token: chat.token });
    const env = await runBundle('google-chat', { ...droneBuildEnv, DRONE_WORKSPACE: workspace, GOOGLE_CHAT_WEBHOOK: chat.spaceUrl, GOOGLE_CHAT_KEY: chat.key, GOOGLE_CHAT_TOKEN: chat.token });
    assert.equal(env.code, 0, env.stderr);
    noSecretIn(r.stdout + r.stderr + env.stdout + env.stderr);
  });
});

describe('templates and threads', () => {
  test('template_success / template_failure pick by outcome and fall back to template; values are not escaped', async () => {
    const settings = { PLUGIN_TEMPLATE: '{{build.message.title}}', PLUGIN_TEMPLATE_FAILURE: 'broke: {{build.status}}' };
    assert.equal((await run(settings)).code, 0);
    assert.equal((await run(settings, { DRONE_FAILED_STEPS: 'test' })).code, 0);
    assert.deepEqual([messageOf(0).text, messageOf(1).text], [`Merge 'x' <y> & "z"`, 'broke: failure']);
  });

  test('thread_key (and the conversation_key alias) put every message of a key into one thread', async () => {
    const first = await run({ PLUGIN_THREAD_KEY: 'deploys' });
    const second = await run({ 'PLUGIN_CONVERSATION.KEY': 'deploys' });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(second.code, 0, second.stderr);
    assert.match(first.stdout, /^sent the success message to Google Chat in thread spaces\/AAAAsortie1\/threads\/t\d+\n$/);
    assert.equal(second.stdout, first.stdout);
    assert.deepEqual(
      chat.received.map((r) => [(r.body as { thread: { threadKey: string } }).thread.threadKey, r.query.messageReplyOption]),
      [
        ['deploys', 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD'],
        ['deploys', 'REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD'],
      ],
    );
  });

  test('REPLY_MESSAGE_OR_FAIL with no such thread: Google\'s error and a hint', async () => {
    const r = await run({ PLUGIN_THREAD_KEY: 'never-used', PLUGIN_MESSAGE_REPLY_OPTION: 'REPLY_MESSAGE_OR_FAIL' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /posting to Google Chat \(settings\.webhook\) failed: HTTP 404: \{ "error": \{ "code": 404, "message": "Thread with the given threadKey was not found\."/);
    noSecretIn(r.stdout + r.stderr);
  });
});

describe('limits and errors', () => {
  test('429 and 5xx are retried, honouring Retry-After', async () => {
    chat.script([{ status: 429, headers: { 'retry-after': '0' }, body: '{"error":{"code":429,"status":"RESOURCE_EXHAUSTED"}}' }, { status: 503 }]);
    const r = await run({});
    assert.equal(r.code, 0, r.stderr);
    assert.equal(chat.received.length, 3);
    noSecretIn(r.stdout + r.stderr);
  });

  test('an error body that quotes the key and token is masked', async () => {
    chat.script([{ status: 400, body: JSON.stringify({ error: { code: 400, message: `bad request key=${chat.key}&token=${chat.token}`, status: 'INVALID_ARGUMENT' } }) }]);
    const r = await run({});
    assert.equal(r.code, 1);
    assert.match(r.stderr, /"message":"bad request key=\*{8}&token=\*{8}"/);
    noSecretIn(r.stdout + r.stderr);
  });

  test('a wrong token: Google\'s error and a hint, the token and URL never shown', async () => {
    const wrong = chat.webhookUrl.replace(chat.token, 'not-the-token-1234');
    const r = await run({ PLUGIN_WEBHOOK: wrong });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /HTTP 401: .*"status": "UNAUTHENTICATED/);
    assert.match(r.stdout, /hint: Google Chat refused the key or token/);
    assert.ok(!(r.stdout + r.stderr).includes('not-the-token-1234'));
  });

  test('a webhook without key and token, a bad reply option, a URL that is not Chat\'s: errors before sending', async () => {
    const noToken = await run({ PLUGIN_WEBHOOK: chat.spaceUrl });
    assert.equal(noToken.code, 1);
    assert.match(noToken.stderr, /settings\.webhook has no key= and token=/);
    const half = await run({ PLUGIN_KEY: 'k', PLUGIN_MESSAGE_REPLY_OPTION: 'REPLY' });
    assert.equal(half.code, 1);
    assert.match(half.stderr, /settings\.message_reply_option: expected one of REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD, REPLY_MESSAGE_OR_FAIL/);
    const notChat = await run({ PLUGIN_WEBHOOK: 'https://example.com/hook-secret-path' });
    assert.equal(notChat.code, 1);
    assert.match(notChat.stderr, /settings\.webhook: expected a Google Chat webhook URL/);
    assert.ok(!notChat.stderr.includes('hook-secret-path'));
    assert.equal(chat.received.length, 0);
  });

  test('an unreachable server names settings.webhook', async () => {
    const r = await run({ PLUGIN_WEBHOOK: `http://127.0.0.1:1/v1/spaces/X/messages?key=k&token=${chat.token}`, PLUGIN_TIMEOUT: '20s' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /settings\.webhook: cannot reach Google Chat: POST http:\/\/127\.0\.0\.1:1 failed: ECONNREFUSED/);
    noSecretIn(r.stdout + r.stderr);
  });

  test('failed_steps: a failure of another step sends nothing', async () => {
    const r = await run({ PLUGIN_FAILED_STEPS: 'deploy*' }, { DRONE_FAILED_STEPS: 'lint' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^nothing to send: the failed steps \(lint\)/);
    assert.equal(chat.received.length, 0);
  });
});
