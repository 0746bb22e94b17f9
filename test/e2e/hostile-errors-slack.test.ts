import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { droneBuildEnv } from '../support/drone-env.ts';
import { runBundleMeasured } from '../support/run-measured.ts';
import { slackSession } from '../support/slack-session.ts';
import { woodpecker30Env, woodpecker315Env } from '../support/woodpecker-env.ts';

const session = slackSession('slack-hostile-');

async function run(env: Record<string, string>) {
  const r = await runBundleMeasured('slack', { PLUGIN_ENV_FILE: join(session.workspace, 'no-status-file'), ...env }, { cwd: session.workspace });
  const out = r.stdout + r.stderr;
  assert.ok(!out.includes('sortie-webhook-secret-path'), `the webhook URL leaked:\n${out}`);
  assert.ok(!out.includes(session.slack.token), `the token leaked:\n${out}`);
  assert.doesNotMatch(out, /unexpected failure/);
  assert.ok(r.ms < 10_000, `took ${Math.round(r.ms)} ms`);
  assert.ok(r.maxRssMiB < 200, `peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
  return { ...r, out };
}

const drone = (settings: Record<string, string>) => run({ ...droneBuildEnv, DRONE_WORKSPACE: session.workspace, ...settings });

function attachment(): { color: string; text: string } {
  assert.equal(session.slack.received.length, 1);
  return (session.slack.received[0]!.body as { attachments: Array<{ color: string; text: string }> }).attachments[0]!;
}

describe('the true status on Woodpecker 3', () => {
  const template = { PLUGIN_TEMPLATE: '{{build.status}} (before: {{prev.build.status}})' };

  test('3.0 to 3.14 (no CI_PIPELINE_STATUS, DRONE_BUILD_STATUS always "success"): never a success, and a warning naming the fix', async () => {
    const r = await run({ ...woodpecker30Env(session.workspace), PLUGIN_WEBHOOK: session.slack.webhookUrl, ...template });
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(attachment(), { ...attachment(), color: 'warning', text: 'unknown (before: success)' });
    assert.match(r.stderr, /^warning: Woodpecker did not say how the pipeline went \(CI_PIPELINE_STATUS is unset, as on Woodpecker 3\.0 to 3\.14/m);
    assert.match(r.stderr, /Fix: upgrade Woodpecker to 3\.15 or later, or run this step only for one outcome with `when: status: \[failure\]`/);
    assert.equal(r.stdout, 'sent the unknown message to the webhook\'s channel\n');
  });

  test('3.15: a failed pipeline is reported as a failure, though DRONE_BUILD_STATUS says success', async () => {
    const env = woodpecker315Env(session.workspace, 'failure');
    assert.equal(env.DRONE_BUILD_STATUS, 'success');
    const r = await run({ ...env, PLUGIN_WEBHOOK: session.slack.webhookUrl, ...template });
    assert.equal(r.code, 0, r.out);
    assert.equal(attachment().color, 'danger');
    assert.equal(attachment().text, 'failure (before: success)');
    assert.equal(r.stderr, '');
  });

  test('3.15: a passing pipeline is a success, with the default message', async () => {
    const r = await run({ ...woodpecker315Env(session.workspace, 'success'), PLUGIN_WEBHOOK: session.slack.webhookUrl });
    assert.equal(r.code, 0, r.out);
    assert.equal(attachment().color, 'good');
    assert.match(attachment().text, /^\*success\* <https:\/\/ci\.example\.com\/repos\/1\/pipeline\/42\|octocat\/hello-world#7fd1a60b> \(main\) by octocat$/);
  });
});

describe('env_file that is not a file', () => {
  const cases: Array<[string, () => string, string]> = [
    ['a directory', () => session.workspace, 'a directory'],
    [
      'a FIFO (no hang)',
      () => {
        const fifo = join(session.workspace, 'env');
        assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
        return fifo;
      },
      'a named pipe \\(FIFO\\)',
    ],
    ['a device', () => '/dev/zero', 'a device'],
  ];
  for (const [name, path, kind] of cases) {
    test(name, async () => {
      const file = path();
      const r = await drone({ PLUGIN_WEBHOOK: session.slack.webhookUrl, PLUGIN_ENV_FILE: file });
      assert.equal(r.code, 1, r.out);
      assert.match(r.stderr, new RegExp(`^error: settings\\.env_file: ${file} is ${kind}, not a file$`, 'm'));
      assert.equal(session.slack.received.length, 0);
    });
  }

  test('thread_ts_file that is a directory is named, before anything is posted', async () => {
    const r = await drone({ PLUGIN_ACCESS_TOKEN: session.slack.token, PLUGIN_API_URL: session.slack.apiUrl, PLUGIN_CHANNEL: 'general', PLUGIN_THREAD_TS_FILE: '.' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, new RegExp(`^error: settings\\.thread_ts_file: ${session.workspace} is a directory, not a file$`, 'm'));
    assert.equal(session.slack.received.filter((x) => x.path.endsWith('chat.postMessage')).length, 0);
  });

  test('a status file larger than any pod annotations (1 MiB) is refused', async () => {
    const file = join(session.workspace, 'env');
    writeFileSync(file, `DRONE_BUILD_STATUS="failure"\n${'x'.repeat(2 * 1024 * 1024)}\n`);
    const r = await drone({ PLUGIN_WEBHOOK: session.slack.webhookUrl, PLUGIN_ENV_FILE: file });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, new RegExp(`^error: settings\\.env_file: ${file} is 2 MiB, more than the 1 MiB this plugin reads$`, 'm'));
  });
});

describe('templates', () => {
  test('a template that looks like a path but names no file is an error, not the message', async () => {
    const r = await drone({ PLUGIN_WEBHOOK: session.slack.webhookUrl, PLUGIN_TEMPLATE: 'templates/deploy.hbs' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /^error: template "settings\.template": the template file "templates\/deploy\.hbs" does not exist$/m);
    assert.equal(session.slack.received.length, 0);
  });

  test('a template file with invalid UTF-8 names the file and line', async () => {
    mkdirSync(join(session.workspace, 'templates'));
    writeFileSync(join(session.workspace, 'templates', 'msg.hbs'), Buffer.concat([Buffer.from('{{build.status}}\nGr'), Buffer.from([0xfc]), Buffer.from('sse\n')]));
    const r = await drone({ PLUGIN_WEBHOOK: session.slack.webhookUrl, PLUGIN_TEMPLATE: 'templates/msg.hbs' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /^error: template "settings\.template": templates\/msg\.hbs:2: not valid UTF-8 \(byte 0xfc at byte 3 of the line\)$/m);
  });

  test('a template that would render gigabytes stops at 16 MiB', async () => {
    const loop = (n: number) => `(split "," (repeat ${n} "a,"))`;
    const r = await drone({ PLUGIN_WEBHOOK: session.slack.webhookUrl, PLUGIN_TEMPLATE: `{{#each ${loop(100)}}}{{#each ${loop(100)}}}{{repeat 100000 "x"}}{{/each}}{{/each}}` });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /^error: template "settings\.template": it renders to more than 16 MiB of text; rendering was stopped there$/m);
    assert.equal(session.slack.received.length, 0);
  });
});

describe('servers', () => {
  test('an unreachable webhook names settings.webhook, without its secret path', async () => {
    const r = await drone({ PLUGIN_WEBHOOK: 'http://127.0.0.1:1/services/T0000SORT/B0000SORT/sortie-webhook-secret-path' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /^error: settings\.webhook: cannot reach Slack: POST http:\/\/127\.0\.0\.1:1 failed: ECONNREFUSED/m);
  });

  test('an unreachable Web API names settings.api_url', async () => {
    const r = await drone({ PLUGIN_ACCESS_TOKEN: session.slack.token, PLUGIN_CHANNEL: 'general', PLUGIN_API_URL: 'http://127.0.0.1:1/api' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /^error: settings\.api_url: cannot reach Slack: POST http:\/\/127\.0\.0\.1:1 failed: ECONNREFUSED/m);
  });

  test('a Web API answering 200 with an HTML page is named, with what it sent', async () => {
    session.slack.script([{ status: 200, body: '<html><body><h1>Please sign in</h1></body></html>', headers: { 'content-type': 'text/html' } }]);
    const r = await drone({ PLUGIN_ACCESS_TOKEN: session.slack.token, PLUGIN_CHANNEL: 'general', PLUGIN_API_URL: session.slack.apiUrl });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, new RegExp(`^error: auth\\.test at ${session.slack.apiUrl}/auth\\.test \\(settings\\.api_url\\) answered HTTP 200 with something that is not JSON \\(text/html\\): <html><body><h1>Please sign in</h1></body></html>$`, 'm'));
    assert.match(r.stdout, /^hint: An HTML page usually comes from a proxy/m);
  });
});
