import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { type MattermostStandIn, startMattermostStandIn } from '../components/mattermost/server.ts';
import { defaultSlackStep, droneStepEnv, failedRunnerStatusFile } from '../support/drone-env.ts';
import { runBundle } from '../support/run-bundle.ts';

/** sortie/slack pointed at a Mattermost incoming webhook, which takes Slack's format. */
let mattermost: MattermostStandIn;
let workspace: string;
before(async () => {
  mattermost = await startMattermostStandIn();
});
after(() => mattermost.close());
beforeEach(() => {
  mattermost.received.length = 0;
  mattermost.posts.length = 0;
  workspace = mkdtempSync(join(tmpdir(), 'slack-mattermost-'));
});

function run(settings: Record<string, string>) {
  return runBundle('slack', { ...droneStepEnv(workspace), PLUGIN_WEBHOOK: mattermost.webhookUrl, ...settings });
}

function noSecretIn(output: string) {
  assert.ok(!output.includes(mattermost.hookId), `the hook id leaked:\n${output}`);
}

test("the default message becomes a post with Slack's attachment in the channel", async () => {
  const r = await run(defaultSlackStep.settings);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'sent the success message to #deployments\n');
  assert.deepEqual(mattermost.received[0]!.body, defaultSlackStep.payload);
  assert.deepEqual(mattermost.posts, [{ channel: 'deployments', message: '', username: 'drone', attachments: defaultSlackStep.payload.attachments }]);
  noSecretIn(r.stdout + r.stderr);
});

test("a failure read from the runner's status file, with a template", async () => {
  const statusFile = join(workspace, 'env');
  writeFileSync(statusFile, failedRunnerStatusFile);
  const r = await run({ PLUGIN_ENV_FILE: statusFile, PLUGIN_TEMPLATE_FAILURE: '#### {{repo.name}} failed\n{{build.link}}' });
  assert.equal(r.code, 0, r.stderr);
  const attachment = mattermost.posts[0]!.attachments[0]!;
  assert.equal(attachment.color, 'danger');
  assert.equal(attachment.text, '#### hello-world failed\nhttps://drone.example.com/octocat/hello-world/42');
});

test("Mattermost's errors are quoted, the hook id never shown", async () => {
  const missing = await run({ PLUGIN_CHANNEL: 'nowhere' });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /posting to the webhook failed: Slack answered HTTP 404 \{"id":"web\.incoming_webhook\.channel\.app_error","message":"Couldn't find the channel\."/);
  assert.match(missing.stdout, /hint: Mattermost's message above says what it refused/);
  const gone = await run({ PLUGIN_WEBHOOK: `${mattermost.url}/hooks/deletedhook0000` });
  assert.equal(gone.code, 1);
  assert.match(gone.stderr, /HTTP 400 \{"id":"web\.incoming_webhook\.invalid\.app_error","message":"Invalid webhook\."/);
  noSecretIn(missing.stdout + missing.stderr + gone.stdout + gone.stderr);
});

test('429 is retried, honouring Retry-After', async () => {
  mattermost.script([{ status: 429, headers: { 'retry-after': '0' }, body: '{"id":"api.context.rate_limit.app_error","message":"too many requests","status_code":429}' }]);
  const r = await run({});
  assert.equal(r.code, 0, r.stderr);
  assert.equal(mattermost.received.length, 2);
  assert.equal(mattermost.posts.length, 1);
});
