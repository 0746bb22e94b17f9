import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { startTelegramStandIn, type TelegramStandIn } from '../components/telegram/server.ts';
import { droneStepEnv, failedRunnerStatusFile } from '../support/drone-env.ts';
import { startHostileServer } from '../support/hostile-http.ts';
import { runBundle } from '../support/run-bundle.ts';

let telegram: TelegramStandIn;
let workspace: string;
before(async () => {
  telegram = await startTelegramStandIn();
});
after(() => telegram.close());
beforeEach(() => {
  telegram.received.length = 0;
  telegram.uploads.length = 0;
  workspace = mkdtempSync(join(tmpdir(), 'telegram-ws-'));
});

const bot = () => ({ PLUGIN_TOKEN: telegram.token, PLUGIN_TO: String(telegram.chats.user), PLUGIN_API_URL: telegram.url });

function run(settings: Record<string, string>, extra: Record<string, string> = {}) {
  return runBundle('telegram', { ...droneStepEnv(workspace), ...settings, ...extra });
}

function noSecretsIn(output: string) {
  const secretPart = telegram.token.split(':')[1]!;
  assert.ok(!output.includes(secretPart), `the token leaked:\n${output}`);
  assert.ok(!output.includes(secretPart.slice(0, 12)), `part of the token leaked:\n${output}`);
}

type Sent = { chat_id: unknown; text: string; parse_mode: string; [k: string]: unknown };
const sent = (i = 0) => telegram.received[i]!.body as Sent;

describe('messages', () => {
  test("drone-telegram's default message, in MarkdownV2 that Telegram accepts", async () => {
    const r = await run(bot());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `sent the success message to ${telegram.chats.user} (message 101)\n`);
    const m = sent();
    assert.equal(m.parse_mode, 'MarkdownV2');
    assert.equal(m.chat_id, telegram.chats.user);
    assert.equal(
      m.text,
      "\u2705 Build \\#42 of `octocat/hello-world` success\\.\n\n\ud83d\udcdd Commit by octocat on `main`:\n``` Merge 'x' <y> & \"z\"\n\nThe body. ```\n\n\ud83c\udf10 https://drone\\.example\\.com/octocat/hello\\-world/42",
    );
    noSecretsIn(r.stdout + r.stderr);
  });

  test("a failure read from the runner's status file; template_failure", async () => {
    const statusFile = join(workspace, 'env');
    writeFileSync(statusFile, failedRunnerStatusFile);
    const r = await run({ ...bot(), PLUGIN_ENV_FILE: statusFile, PLUGIN_MESSAGE: 'generic', PLUGIN_TEMPLATE_FAILURE: '{{build.status}}: {{build.link}}' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sent().text, 'failure: https://drone\\.example\\.com/octocat/hello\\-world/42');
    const d = await run(bot(), { PLUGIN_ENV_FILE: statusFile });
    assert.equal(d.code, 0, d.stderr);
    assert.match(sent(1).text, /^\u274c Build \\#42 of `octocat\/hello-world` failure\\\./);
  });

  test('format: html escapes values, keeps the template\'s tags', async () => {
    const r = await run({ ...bot(), PLUGIN_FORMAT: 'HTML', PLUGIN_MESSAGE: '<b>{{repo.name}}</b> {{commit.message}} <a href="{{build.link}}">log</a>' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sent().parse_mode, 'HTML');
    assert.equal(sent().text, `<b>hello-world</b> Merge 'x' &lt;y&gt; &amp; "z"\n\nThe body. <a href="https://drone.example.com/octocat/hello-world/42">log</a>`);
  });

  test('several chats, a supergroup topic, silent, no preview; TELEGRAM_TOKEN and TELEGRAM_TO', async () => {
    const r = await run(
      { PLUGIN_API_URL: telegram.url, PLUGIN_MESSAGE_THREAD_ID: '7', PLUGIN_DISABLE_NOTIFICATION: 'true', PLUGIN_DISABLE_WEB_PAGE_PREVIEW: 'true', PLUGIN_MESSAGE: 'hi' },
      { TELEGRAM_TOKEN: telegram.token, TELEGRAM_TO: String(telegram.chats.forum) },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(sent(), { chat_id: -1001234567890, text: 'hi', parse_mode: 'MarkdownV2', disable_notification: true, message_thread_id: 7, link_preview_options: { is_disabled: true } });
    assert.match(r.stdout, /to -1001234567890 topic 7/);
    const two = await run({ ...bot(), PLUGIN_TO: `${telegram.chats.user},${telegram.chats.channel}`, PLUGIN_MESSAGE: 'hi' });
    assert.equal(two.code, 0, two.stderr);
    assert.deepEqual(telegram.received.slice(1).map((q) => (q.body as Sent).chat_id), [telegram.chats.user, '@sortie_builds']);
  });

  test('id:email entries: only_match_email sends to the author only', async () => {
    const to = `${telegram.chats.forum},${telegram.chats.user}:octocat@github.com`;
    const r = await run({ ...bot(), PLUGIN_TO: to, PLUGIN_ONLY_MATCH_EMAIL: 'true', PLUGIN_MESSAGE: 'hi' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(telegram.received.map((q) => (q.body as Sent).chat_id), [telegram.chats.user]);
  });

  test('message_file from the workspace', async () => {
    writeFileSync(join(workspace, 'telegram.md'), 'from a file: {{build.number}}.');
    const r = await run({ ...bot(), PLUGIN_MESSAGE_FILE: 'telegram.md' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sent().text, 'from a file: 42\\.');
  });

  test('template_vars and template_vars_file are tpl.*, escaped like every value; the file wins', async () => {
    writeFileSync(join(workspace, 'vars.json'), '{"env": "prod-eu.1", "n": 3}');
    const r = await run({ ...bot(), PLUGIN_TEMPLATE_VARS: '{"env": "staging", "team": "web_ops"}', PLUGIN_TEMPLATE_VARS_FILE: 'vars.json', PLUGIN_MESSAGE: '{{tpl.env}} {{tpl.team}} {{tpl.n}} by {{commit.author}}' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(sent().text, 'prod\\-eu\\.1 web\\_ops 3 by octocat');
  });

  test('photo, document, audio: globs in the workspace, sent after the message to every chat and topic', async () => {
    mkdirSync(join(workspace, 'shots'));
    writeFileSync(join(workspace, 'shots', 'b.png'), 'png b');
    writeFileSync(join(workspace, 'shots', 'a.png'), 'png a');
    writeFileSync(join(workspace, 'report.txt'), 'report');
    writeFileSync(join(workspace, 'jingle.mp3'), 'mp3');
    const r = await run({
      ...bot(),
      PLUGIN_TO: `${telegram.chats.forum}`,
      PLUGIN_MESSAGE_THREAD_ID: '7',
      PLUGIN_DISABLE_NOTIFICATION: 'true',
      PLUGIN_PHOTO: 'shots/*.png',
      PLUGIN_DOCUMENT: 'report.txt,missing/*.pdf',
      PLUGIN_AUDIO: 'jingle.mp3',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /warning: settings\.document: no file matches missing\/\*\.pdf/);
    assert.deepEqual(
      telegram.uploads.map((u) => [u.method, u.filename, u.content]),
      [['sendPhoto', 'a.png', 'png a'], ['sendPhoto', 'b.png', 'png b'], ['sendDocument', 'report.txt', 'report'], ['sendAudio', 'jingle.mp3', 'mp3']],
    );
    assert.deepEqual(telegram.uploads[3]!.fields, { chat_id: '-1001234567890', message_thread_id: 7, disable_notification: true, title: 'Audio Message' });
    assert.match(r.stdout, /sent shots\/a\.png to -1001234567890 topic 7\n/);
    noSecretsIn(r.stdout + r.stderr);
  });

  test('location and venue are sent after the message, to the chat\'s topic', async () => {
    const r = await run({ ...bot(), PLUGIN_TO: String(telegram.chats.forum), PLUGIN_MESSAGE_THREAD_ID: '7', PLUGIN_LOCATION: '25.0339 121.5645', PLUGIN_VENUE: '["48.8584 2.2945 Eiffel Tower Champ de Mars, Paris"]' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(telegram.received.map((q) => [q.path.split('/').at(-1), q.body]).slice(1), [
      ['sendLocation', { chat_id: telegram.chats.forum, message_thread_id: 7, latitude: 25.0339, longitude: 121.5645 }],
      ['sendVenue', { chat_id: telegram.chats.forum, message_thread_id: 7, latitude: 48.8584, longitude: 2.2945, title: 'Eiffel', address: 'Tower Champ de Mars, Paris' }],
    ]);
    assert.match(r.stdout, /sent the venue 48\.8584 2\.2945 to -1001234567890 topic 7\n$/);
  });
});

describe('errors: clear message, exit 1, the token never shown', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['no token', { PLUGIN_TOKEN: '' }, /set settings\.token/],
    ['no chat', { PLUGIN_TO: '' }, /set settings\.to/],
    ['a chat that is no id', { PLUGIN_TO: 'my-group' }, /settings\.to: "my-group" is not a chat id/],
    ['an unknown format', { PLUGIN_FORMAT: 'bbcode' }, /settings\.format: expected markdown or html/],
    ['message and message_file', { PLUGIN_MESSAGE: 'x', PLUGIN_MESSAGE_FILE: 'x.md' }, /exclude each other/],
    ['a missing message_file', { PLUGIN_MESSAGE_FILE: 'missing.md' }, /missing\.md/],
    ['a topic id that is no number', { PLUGIN_MESSAGE_THREAD_ID: 'general' }, /settings\.message_thread_id/],
    ['template_vars that is no object', { PLUGIN_TEMPLATE_VARS: '["a"]' }, /settings\.template_vars: expected a JSON object/],
    ['a template_vars_file that is not JSON', { PLUGIN_TEMPLATE_VARS_FILE: 'bad.json', PLUGIN_MESSAGE: 'x' }, /settings\.template_vars_file: bad\.json is not JSON/],
    ['a photo over the Bot API\'s 10 MiB', { PLUGIN_PHOTO: 'huge.png' }, /settings\.photo: huge\.png is 11 MiB; the Bot API takes at most 10 MiB in a file/],
    ['a document glob that finds a directory', { PLUGIN_DOCUMENT: 'dir*' }, /settings\.document: .*dir.* (is )?a directory/],
    ['a location that is no coordinates', { PLUGIN_LOCATION: 'Taipei' }, /settings\.location: "Taipei" is not "latitude longitude"/],
    ['a venue without an address', { PLUGIN_VENUE: '25.0339 121.5645 Taipei101' }, /settings\.venue: "25\.0339 121\.5645 Taipei101" needs a title and an address/],
    ['an empty message', { PLUGIN_MESSAGE: '{{#failure build.status}}x{{/failure}}' }, /settings\.message renders an empty message/],
  ];
  for (const [name, settings, message] of cases) {
    test(name, async () => {
      writeFileSync(join(workspace, 'bad.json'), '{"env": ');
      writeFileSync(join(workspace, 'huge.png'), Buffer.alloc(11 * 1024 * 1024));
      mkdirSync(join(workspace, 'dir1'));
      const r = await run({ ...bot(), ...settings });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, message);
      assert.equal(telegram.received.length, 0);
      noSecretsIn(r.stdout + r.stderr);
    });
  }

  test("the Bot API's refusals are quoted, with a hint", async () => {
    const chat = await run({ ...bot(), PLUGIN_TO: '-1009999999999' });
    assert.equal(chat.code, 1);
    assert.match(chat.stderr, /posting to Telegram \(settings\.token\) failed: HTTP 400: .*"description":"Bad Request: chat not found"/);
    assert.match(chat.stdout, /hint: Check settings\.to/);
    const topic = await run({ ...bot(), PLUGIN_MESSAGE_THREAD_ID: '8' });
    assert.match(topic.stderr, /message thread not found/);
    const token = await run({ ...bot(), PLUGIN_TOKEN: '7000000042:AAHwrongTokenValueForTheStandIn12345', PLUGIN_DEBUG: 'true' });
    assert.equal(token.code, 1);
    assert.match(token.stderr, /HTTP 401: .*Unauthorized/);
    assert.ok(!(token.stdout + token.stderr).includes('AAHwrongTokenValue'), 'the wrong token leaked');
    const html = await run({ ...bot(), PLUGIN_FORMAT: 'html', PLUGIN_MESSAGE: '<blink>{{build.number}}</blink>' });
    assert.match(html.stderr, /can't parse entities: Unsupported start tag \\?"blink\\?"/);
    noSecretsIn(chat.stdout + chat.stderr + topic.stdout + topic.stderr + html.stdout + html.stderr);
  });

  test('an unreachable Bot API names the setting; the URL with the token is never printed', async () => {
    const r = await run({ ...bot(), PLUGIN_API_URL: 'http://127.0.0.1:1', PLUGIN_TIMEOUT: '30s', PLUGIN_DEBUG: 'true' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /settings\.token: cannot reach Telegram/);
    noSecretsIn(r.stdout + r.stderr);
  });

  test('a Bot API that never answers: the step ends at settings.timeout, the token unseen', async () => {
    const silent = await startHostileServer({ kind: 'silent' });
    try {
      const started = Date.now();
      const r = await run({ ...bot(), PLUGIN_API_URL: silent.url, PLUGIN_TIMEOUT: '2s', PLUGIN_DEBUG: 'true' });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no complete answer within settings\.timeout: 2s/);
      assert.ok(Date.now() - started < 8000);
      noSecretsIn(r.stdout + r.stderr);
    } finally {
      await silent.close();
    }
  });
});
