import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type DiscordStandIn, startDiscordStandIn } from '../components/discord/server.ts';
import { droneBuildEnv, droneStepEnv, failedRunnerStatusFile } from '../support/drone-env.ts';
import { startHostileServer } from '../support/hostile-http.ts';
import { runBundle } from '../support/run-bundle.ts';

let discord: DiscordStandIn;
let forum: DiscordStandIn;
let workspace: string;
before(async () => {
  discord = await startDiscordStandIn();
  forum = await startDiscordStandIn({ forum: true });
});
after(async () => {
  await discord.close();
  await forum.close();
});
beforeEach(() => {
  discord.received.length = 0;
  discord.uploads.length = 0;
  forum.received.length = 0;
  workspace = mkdtempSync(join(tmpdir(), 'discord-ws-'));
});

const hook = () => ({ PLUGIN_WEBHOOK_ID: discord.webhookId, PLUGIN_WEBHOOK_TOKEN: discord.token, PLUGIN_API_URL: discord.apiUrl });

function run(settings: Record<string, string>, extra: Record<string, string> = {}) {
  return runBundle('discord', { ...droneStepEnv(workspace), ...settings, ...extra });
}

function noSecretsIn(output: string) {
  assert.ok(!output.includes(discord.token), `the webhook token leaked:\n${output}`);
  assert.ok(!output.includes(discord.token.slice(0, 20)), `part of the webhook token leaked:\n${output}`);
}

type Body = { content?: string; embeds?: Array<Record<string, unknown>>; [k: string]: unknown };
const body = (i = 0, from = discord) => from.received[i]!.body as Body;

describe('messages', () => {
  test("the default embed, as drone-discord sends it, on success", async () => {
    const r = await run(hook());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'sent the success message to Discord\n');
    assert.deepEqual(discord.received[0]!.query, {});
    assert.deepEqual(body(), {
      embeds: [
        {
          title: droneBuildEnv.DRONE_COMMIT_MESSAGE,
          description: 'octocat pushed to main',
          url: 'https://drone.example.com/octocat/hello-world/42',
          color: 0x1ac600,
          author: { name: 'octocat', icon_url: 'https://avatars.example.com/octocat' },
          footer: { text: 'Powered by Drone Discord Plugin', icon_url: 'https://c1.staticflickr.com/5/4236/34957940160_435d83114f_z.jpg' },
        },
      ],
    });
    noSecretsIn(r.stdout + r.stderr);
  });

  test("a failure read from the runner's status file is red; failed steps are listed", async () => {
    const statusFile = join(workspace, 'env');
    writeFileSync(statusFile, failedRunnerStatusFile);
    const r = await run({ ...hook(), PLUGIN_ENV_FILE: statusFile });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(body().embeds![0]!.color, 0xff3232);
    await run(hook(), { DRONE_FAILED_STEPS: 'test,deploy' });
    assert.deepEqual(body(1).embeds![0]!.fields, [{ name: 'Failed steps', value: 'test, deploy' }]);
  });

  test('DISCORD_WEBHOOK_ID and DISCORD_WEBHOOK_TOKEN are read too', async () => {
    const r = await run({ PLUGIN_API_URL: discord.apiUrl }, { DISCORD_WEBHOOK_ID: discord.webhookId, DISCORD_WEBHOOK_TOKEN: discord.token });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(discord.received.length, 1);
  });

  test('a message template, with username, avatar, tts and flags', async () => {
    const r = await run({
      ...hook(),
      PLUGIN_MESSAGE: '{{#success build.status}}build {{build.number}} of {{repo.name}} by {{commit.author}}: {{build.message.title}}{{else}}failed{{/success}}',
      PLUGIN_USERNAME: 'drone',
      PLUGIN_AVATAR_URL: 'https://example.com/drone.png',
      PLUGIN_TTS: 'true',
      PLUGIN_FLAGS: 'suppress_embeds,suppress_notifications',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(body(), { content: `build 42 of hello-world by octocat: Merge 'x' <y> & "z"`, username: 'drone', avatar_url: 'https://example.com/drone.png', tts: true, flags: 4 | 4096 });
  });

  test('template_failure for a failure; with color the message is an embed title', async () => {
    const settings = { ...hook(), PLUGIN_MESSAGE: 'generic', PLUGIN_TEMPLATE_FAILURE: 'broke: {{build.failedSteps}}', PLUGIN_COLOR: '#123abc' };
    await run(settings);
    await run(settings, { DRONE_FAILED_STEPS: 'test' });
    assert.deepEqual(body(0).embeds, [{ title: 'generic', color: 0x123abc }]);
    assert.deepEqual(body(1).embeds, [{ title: 'broke: test', color: 0x123abc }]);
  });

  test('a template from a workspace file', async () => {
    writeFileSync(join(workspace, 'discord.hbs'), 'from a file: #{{build.number}}\n');
    const r = await run({ ...hook(), PLUGIN_MESSAGE: 'discord.hbs' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(body().content, 'from a file: #42');
  });

  test('wait: the query parameter, and the message id in the log', async () => {
    const r = await run({ ...hook(), PLUGIN_WAIT: 'true' });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(discord.received[0]!.query, { wait: 'true' });
    assert.match(r.stdout, /^sent the success message to Discord \(message \d+\)\n$/);
  });

  test('webhook_url instead of id and token; thread_id posts into a thread', async () => {
    const r = await run({ PLUGIN_WEBHOOK_URL: discord.webhookUrl, PLUGIN_THREAD_ID: discord.threadId });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(discord.received[0]!.query, { thread_id: discord.threadId });
    assert.equal(r.stdout, `sent the success message to Discord in thread ${discord.threadId}\n`);
    noSecretsIn(r.stdout + r.stderr);
  });

  test('thread_name starts a forum post, named by its template', async () => {
    const r = await run({ PLUGIN_WEBHOOK_URL: forum.webhookUrl, PLUGIN_THREAD_NAME: '{{repo.name}} #{{build.number}}' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(body(0, forum).thread_name, 'hello-world #42');
  });

  test('file: each file uploaded after the message, as drone-discord does', async () => {
    mkdirSync(join(workspace, 'logs'));
    writeFileSync(join(workspace, 'report.txt'), 'all green\n');
    writeFileSync(join(workspace, 'logs', 'test.log'), 'ok 1\nok 2\n');
    const r = await run({ ...hook(), PLUGIN_FILE: 'report.txt,logs/test.log', PLUGIN_USERNAME: 'drone' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'sent the success message to Discord\nuploaded report.txt to Discord\nuploaded logs/test.log to Discord\n');
    assert.deepEqual(discord.uploads, [
      { filename: 'report.txt', content: 'all green\n' },
      { filename: 'test.log', content: 'ok 1\nok 2\n' },
    ]);
    assert.match(String(discord.received[1]!.body), /name="payload_json"[\s\S]*\{"username":"drone"\}/);
  });

  test('retries after 429 (honouring Retry-After) and 500', async () => {
    discord.script([
      { status: 429, headers: { 'retry-after': '0' }, body: '{"message": "You are being rate limited.", "retry_after": 0.001, "global": false}' },
      { status: 502, body: 'bad gateway' },
    ]);
    const r = await run(hook());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(discord.received.length, 3);
    assert.match(r.stdout, /HTTP 429; retrying/);
    assert.match(r.stdout, /HTTP 502; retrying/);
    noSecretsIn(r.stdout + r.stderr);
  });

  test('on: [failure] sends nothing for a success and passes', async () => {
    const r = await run({ ...hook(), PLUGIN_ON: 'failure' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /nothing to send/);
    assert.equal(discord.received.length, 0);
  });
});

describe("errors: clear message, exit 1, no secret shown", () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['no webhook', { PLUGIN_WEBHOOK_ID: '', PLUGIN_WEBHOOK_TOKEN: '' }, /set one of settings\.webhook_url or settings\.webhook_id/],
    ['an id without a token', { PLUGIN_WEBHOOK_TOKEN: '' }, /settings\.webhook_id is set but settings\.webhook_token is not/],
    ['an id that is not one', { PLUGIN_WEBHOOK_ID: 'my-hook' }, /settings\.webhook_id: expected the webhook id/],
    ['a colour that is not hex', { PLUGIN_COLOR: 'green' }, /settings\.color: expected a hex colour/],
    ['an avatar that is no URL', { PLUGIN_AVATAR_URL: 'drone.png' }, /settings\.avatar_url: expected an http\(s\) URL/],
    ['an unknown flag', { PLUGIN_FLAGS: 'ephemeral' }, /settings\.flags: unknown flag "ephemeral"/],
    ['thread_id and thread_name', { PLUGIN_THREAD_ID: '1', PLUGIN_THREAD_NAME: 'x' }, /settings\.thread_id and settings\.thread_name exclude each other/],
    ['a template syntax error', { PLUGIN_MESSAGE: '{{#if build.status}} unclosed' }, /settings\.message/],
    ['a bad timeout', { PLUGIN_TIMEOUT: 'soon' }, /settings\.timeout: expected a duration/],
    ['a file that does not exist', { PLUGIN_FILE: 'missing.txt' }, /settings\.file: missing\.txt does not exist/],
    ['a file over Discord\'s 10 MiB', { PLUGIN_FILE: 'huge.bin' }, /settings\.file: huge\.bin is 11 MiB; Discord takes at most 10 MiB in a file/],
    ['file and thread_name', { PLUGIN_FILE: 'x.txt', PLUGIN_THREAD_NAME: 'x' }, /settings\.file and settings\.thread_name exclude each other/],
  ];
  for (const [name, settings, message] of cases) {
    test(name, async () => {
      if (settings.PLUGIN_FILE === 'huge.bin') writeFileSync(join(workspace, 'huge.bin'), Buffer.alloc(11 * 1024 * 1024));
      const r = await run({ ...hook(), ...settings });
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(r.stderr, message);
      assert.equal(discord.received.length, 0);
      noSecretsIn(r.stdout + r.stderr);
    });
  }

  test("Discord's own refusals are quoted with a hint", async () => {
    const badName = await run({ ...hook(), PLUGIN_USERNAME: 'Discord Bot' });
    assert.equal(badName.code, 1);
    assert.match(badName.stderr, /posting to Discord \(settings\.webhook_token\) failed: HTTP 400: .*Invalid Form Body.*USERNAME_INVALID_CONTAINS/);
    const wrongToken = await run({ ...hook(), PLUGIN_WEBHOOK_TOKEN: 'a-wrong-token-of-some-length', PLUGIN_DEBUG: 'true' });
    assert.equal(wrongToken.code, 1);
    assert.match(wrongToken.stderr, /HTTP 401: .*Invalid Webhook Token/);
    assert.match(wrongToken.stdout, /hint: The webhook token is wrong/);
    assert.ok(!(wrongToken.stdout + wrongToken.stderr).includes('a-wrong-token-of-some-length'));
    const notForum = await run({ ...hook(), PLUGIN_THREAD_NAME: 'x' });
    assert.match(notForum.stdout, /hint: settings\.thread_name only works for a webhook of a forum channel/);
    noSecretsIn(badName.stdout + badName.stderr + notForum.stdout + notForum.stderr);
  });

  test('an unreachable Discord names the setting', async () => {
    const r = await run({ PLUGIN_WEBHOOK_URL: `http://127.0.0.1:1/api/webhooks/1/${discord.token}`, PLUGIN_TIMEOUT: '30s' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /settings\.webhook_url: cannot reach Discord/);
    noSecretsIn(r.stdout + r.stderr);
  });

  test('a Discord that never answers: the step ends at settings.timeout', async () => {
    const silent = await startHostileServer({ kind: 'silent' });
    try {
      const r = await run({ PLUGIN_WEBHOOK_URL: `${silent.url}/api/webhooks/1/${discord.token}`, PLUGIN_TIMEOUT: '2s' });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no complete answer within settings\.timeout: 2s/);
      noSecretsIn(r.stdout + r.stderr);
    } finally {
      await silent.close();
    }
  });
});
