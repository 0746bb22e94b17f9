import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildContext } from '../../../shared/context/index.ts';
import { notifySkip as skipOf, outcomeOf } from '../../../shared/notify/outcome.ts';
import { notifySettings } from '../../../shared/notify/settings.ts';
import { readSettings } from '../../../shared/settings/index.ts';
import { droneBuildEnv } from '../../support/drone-env.ts';

const success = buildContext(droneBuildEnv);
const failed = (steps?: string) => buildContext({ ...droneBuildEnv, DRONE_BUILD_STATUS: 'failure', ...(steps ? { DRONE_FAILED_STEPS: steps } : {}) });
const woodpeckerOld = buildContext({ CI: 'woodpecker', CI_PIPELINE_NUMBER: '3' });
const filter = (env: Record<string, string>) => readSettings(notifySettings, env).values;
const warnings: string[] = [];
const notifySkip = (settings: ReturnType<typeof filter>, build: typeof success) => skipOf(settings, build, (w) => warnings.push(w));

test('outcomes: error and killed are failures, a missing Woodpecker status is unknown', () => {
  assert.equal(outcomeOf(success), 'success');
  assert.equal(outcomeOf(failed()), 'failure');
  assert.equal(outcomeOf(buildContext({ ...droneBuildEnv, DRONE_BUILD_STATUS: 'killed' })), 'failure');
  assert.equal(outcomeOf(buildContext({ ...droneBuildEnv, DRONE_STAGE_STATUS: 'error' })), 'failure');
  assert.equal(outcomeOf(woodpeckerOld), 'unknown');
});

test('on: both outcomes by default, one when asked; an unknown outcome always sends', () => {
  assert.equal(notifySkip(filter({}), success), undefined);
  assert.equal(notifySkip(filter({}), failed()), undefined);
  const onlyFailure = filter({ PLUGIN_ON: 'failure' });
  assert.equal(notifySkip(onlyFailure, success), "nothing to send: the pipeline's outcome is success, and settings.on is failure");
  assert.equal(notifySkip(onlyFailure, failed()), undefined);
  assert.equal(notifySkip(filter({ PLUGIN_ON: '["success"]' }), woodpeckerOld), undefined);
});

test('on: anything but success and failure is a settings error', () => {
  assert.throws(() => filter({ PLUGIN_ON: 'failure,changed' }), /settings\.on: expected success and\/or failure, got "changed"/);
});

test('failed_steps: globs against the failed steps; unknown failed steps still send', () => {
  const f = filter({ PLUGIN_FAILED_STEPS: 'deploy-*,smoke' });
  assert.equal(notifySkip(f, failed('build,deploy-prod')), undefined);
  assert.equal(notifySkip(f, failed('smoke')), undefined);
  assert.equal(notifySkip(f, failed('lint')), 'nothing to send: the failed steps (lint) are none of settings.failed_steps (deploy-*, smoke)');
  assert.match(notifySkip(f, success) ?? '', /no step failed/);
  assert.deepEqual(warnings, []);
  // Drone's Kubernetes runner: the status file says failure, DRONE_FAILED_STEPS never comes.
  assert.equal(notifySkip(f, failed()), undefined);
  assert.deepEqual(warnings, [
    "settings.failed_steps cannot filter here: the runner did not say which steps failed (Drone's Kubernetes runner never does), so every failed build sends",
  ]);
});

test('timeout: 30 s by default', () => {
  assert.equal(filter({}).timeout, 30_000);
  assert.equal(filter({ PLUGIN_TIMEOUT: '2m' }).timeout, 120_000);
});
