import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { droneBuildEnv, failedRunnerStatusFile } from '../support/drone-env.ts';
import { runBundle } from '../support/run-bundle.ts';
import { slackSession } from '../support/slack-session.ts';

const session = slackSession('notify-failed-steps-');

test("failed_steps under Drone's Kubernetes runner: the failure is sent, and the log says the filter could not apply", async () => {
  const { slack, workspace } = session;
  const statusFile = join(workspace, 'env');
  writeFileSync(statusFile, failedRunnerStatusFile);
  const r = await runBundle('slack', { ...droneBuildEnv, DRONE_WORKSPACE: workspace, PLUGIN_ENV_FILE: statusFile, PLUGIN_WEBHOOK: slack.webhookUrl, PLUGIN_FAILED_STEPS: 'deploy-*' });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(slack.received.length, 1);
  assert.match(r.stderr, /^warning: settings\.failed_steps cannot filter here: the runner did not say which steps failed \(Drone's Kubernetes runner never does\), so every failed build sends$/m);
});

test('failed_steps with the failed steps named: no such warning', async () => {
  const { slack, workspace } = session;
  const r = await runBundle('slack', { ...droneBuildEnv, DRONE_WORKSPACE: workspace, PLUGIN_ENV_FILE: join(workspace, 'none'), PLUGIN_WEBHOOK: slack.webhookUrl, PLUGIN_FAILED_STEPS: 'deploy-*', DRONE_BUILD_STATUS: 'failure', DRONE_FAILED_STEPS: 'deploy-prod' });
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /failed_steps/);
});
