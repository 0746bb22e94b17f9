import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { droneStepEnv, failedRunnerStatusFile } from '../support/drone-env.ts';
import { runBundle } from '../support/run-bundle.ts';
import { slackSession } from '../support/slack-session.ts';

const session = slackSession('slack-filter-');

function run(settings: Record<string, string>) {
  const { slack, workspace } = session;
  return runBundle('slack', { ...droneStepEnv(workspace), PLUGIN_WEBHOOK: slack.webhookUrl, ...settings });
}

test('on: [failure] stays silent on success and passes, saying why', async () => {
  const r = await run({ PLUGIN_ON: 'failure' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "nothing to send: the pipeline's outcome is success, and settings.on is failure\n");
  assert.equal(session.slack.received.length, 0);
});

test("on: [failure] sends once the runner's status file says the build failed", async () => {
  const statusFile = join(session.workspace, 'env');
  writeFileSync(statusFile, failedRunnerStatusFile);
  const r = await run({ PLUGIN_ON: 'failure', PLUGIN_ENV_FILE: statusFile, PLUGIN_FAILED_STEPS: 'deploy-*' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(session.slack.received.length, 1, 'the Kubernetes runner names no failed steps: the failure is sent');
});

test('failed_steps: globs against DRONE_FAILED_STEPS', async () => {
  const skipped = await run({ PLUGIN_FAILED_STEPS: 'deploy-*', DRONE_FAILED_STEPS: 'lint' });
  assert.equal(skipped.code, 0, skipped.stderr);
  assert.match(skipped.stdout, /^nothing to send: the failed steps \(lint\) are none of settings.failed_steps \(deploy-\*\)/);
  const sent = await run({ PLUGIN_FAILED_STEPS: 'deploy-*', DRONE_FAILED_STEPS: 'lint,deploy-prod' });
  assert.equal(sent.code, 0, sent.stderr);
  assert.equal(session.slack.received.length, 1);
});

test('a wrong outcome in on is a settings error before anything is sent', async () => {
  const r = await run({ PLUGIN_ON: 'failed' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /settings\.on: expected success and\/or failure, got "failed"/);
  assert.equal(session.slack.received.length, 0);
});
