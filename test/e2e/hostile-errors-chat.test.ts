import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTelegramStandIn, type TelegramStandIn } from '../components/telegram/server.ts';
import { droneStepEnv } from '../support/drone-env.ts';
import { runBundle } from '../support/run-bundle.ts';

/**
 * The README's clear-error rows of the Discord and Telegram plugins. The limits point at a closed
 * port, so a request sent anyway would show as "cannot reach" instead of the error expected; the
 * reserved characters go to the Bot API stand-in, which parses entities as Telegram does.
 */
const workspace = mkdtempSync(join(tmpdir(), 'chat-hostile-'));
const DISCORD = 'http://127.0.0.1:1/api/webhooks/1180000000000000042/closed-port-token';

function run(plugin: string, settings: Record<string, string>, extra: Record<string, string> = {}) {
  return runBundle(plugin, { ...droneStepEnv(workspace), ...settings, ...extra });
}

let telegram: TelegramStandIn;
before(async () => {
  telegram = await startTelegramStandIn();
});
after(() => telegram.close());

test("discord: a message over Discord's limits is refused before sending, naming the setting", async () => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ PLUGIN_MESSAGE: '{{repeat 2001 "x"}}' }, /^error: settings\.message: the message content has 2001 characters; Discord takes at most 2000$/m],
    [{ PLUGIN_MESSAGE: '{{repeat 300 "x"}}', PLUGIN_COLOR: '#000000' }, /^error: settings\.message: the embed title has 300 characters; Discord takes at most 256$/m],
    [{ PLUGIN_USERNAME: 'x'.repeat(81) }, /settings\.username: the username has 81 characters; Discord takes at most 80/],
  ];
  for (const [settings, message] of cases) {
    const r = await run('discord', { PLUGIN_WEBHOOK_URL: DISCORD, ...settings });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, message);
  }
});

test('telegram: a template that renders over 4096 characters is refused before sending, naming it', async () => {
  const r = await run('telegram', { PLUGIN_TOKEN: '1:closed-port-token', PLUGIN_TO: '1', PLUGIN_API_URL: 'http://127.0.0.1:1', PLUGIN_MESSAGE: '{{repeat 4097 "x"}}' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: settings\.message renders 4097 characters; Telegram takes at most 4096 in a message$/m);
});

/** Commit messages the way people write them: every MarkdownV2 reserved character, and more. */
const COMMIT_MESSAGES = [
  'fix(api): handle v1.2.3-rc.1 & <br> tags!',
  'chore: bump lodash from 4.17.20 to 4.17.21 (#1234)',
  'feat: `a_b` *c* [d](e) ~f~ >g #h +i -j =k |l {m} .n !o \\p',
  'Revert "Merge branch \'feature/x-y_z\' into main"',
];

for (const message of COMMIT_MESSAGES) {
  test(`telegram: a commit message Telegram would refuse unescaped is sent: ${message}`, async () => {
    const template = '*{{repo.name}}* #{{build.number}} {{build.status}}: `{{commit.branch}}`\n{{commit.message}}\n[log]({{build.link}})';
    const bot = { PLUGIN_TOKEN: telegram.token, PLUGIN_TO: String(telegram.chats.user), PLUGIN_API_URL: telegram.url };
    for (const settings of [bot, { ...bot, PLUGIN_MESSAGE: template }]) {
      telegram.received.length = 0;
      const r = await run('telegram', settings, { DRONE_COMMIT_MESSAGE: message, DRONE_COMMIT_BRANCH: 'feature/x-y_z.1' });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.equal(telegram.received.length, 1);
    }
    const text = (telegram.received[0]!.body as { text: string }).text;
    assert.match(text, /^\*hello\\-world\* \\#42 success: `feature\/x-y_z\.1`\n/);
    assert.match(text, /\n\[log\]\(https:\/\/drone\.example\.com\/octocat\/hello-world\/42\)$/);
  });
}
