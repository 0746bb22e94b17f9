import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import type { StandIn, StandInOptions } from '../components/kaniko-executor/index.ts';
import { type Running, startBundle } from '../support/bundle-process.ts';
import { kanikoStep } from '../support/kaniko.ts';

/** dist/kaniko.js building with a stand-in executor that runs until it is signalled. */
function build(standIn: StandInOptions): { run: Running; executor: StandIn; digestFile: string } {
  const step = kanikoStep(standIn);
  const run = startBundle('kaniko', { ...step.env, PLUGIN_REPO: 'registry.example.com/team/app' }, { cwd: step.workspace });
  return { run, executor: step.executor, digestFile: step.env.PLUGIN_DIGEST_FILE };
}

// 3: not what a signal's death gives, so the code is seen to be the executor's own.
for (const [signal, executorCode] of [
  ['SIGTERM', 143],
  ['SIGINT', 3],
] as const) {
  test(`${signal} is forwarded to the executor, and the step exits with the executor's code (${executorCode}) within 2 s`, async () => {
    const { run, executor, digestFile } = build({ runMs: 60_000, onSignal: { exitCode: executorCode }, stdout: ['INFO[0000] Retrieving image manifest'] });
    await run.until(/Retrieving image manifest/);
    const sent = run.kill(signal);
    const r = await run.ended;
    assert.ok(Date.now() - sent < 2000, `stopped ${Date.now() - sent} ms after ${signal}`);
    assert.equal(r.code, executorCode, r.stderr);
    assert.deepEqual(executor.record()?.signals, [signal], r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`^stand-in executor: got ${signal}$`, 'm'));
    assert.equal(r.lastLine, `error: cancelled by ${signal}: the executor got the signal and exited with code ${executorCode}; nothing is reported as pushed.`);
    assert.equal(existsSync(digestFile), false);
    assert.doesNotMatch(r.stdout, /pushed/);
  });
}

test('an executor that ignores the signal is killed a second later: still within 2 s, exit 137', async () => {
  const { run, executor } = build({ runMs: 60_000, onSignal: 'ignore', stdout: ['INFO[0000] Building stage'] });
  await run.until(/Building stage/);
  const sent = run.kill('SIGTERM');
  const r = await run.ended;
  const took = Date.now() - sent;
  assert.ok(took >= 900 && took < 2000, `stopped ${took} ms after SIGTERM`);
  assert.equal(r.code, 137, r.stderr);
  assert.deepEqual(executor.record()?.signals, ['SIGTERM']);
  assert.equal(r.lastLine, 'error: cancelled by SIGTERM: the executor got the signal and exited with code 137; nothing is reported as pushed.');
});

test('a second signal while stopping exits at once with its own code', async () => {
  const { run, executor } = build({ runMs: 60_000, onSignal: 'ignore', stdout: ['INFO[0000] Building stage'] });
  await run.until(/Building stage/);
  run.kill('SIGTERM');
  await run.until(/got SIGTERM/);
  const sent = run.kill('SIGINT');
  const r = await run.ended;
  assert.ok(Date.now() - sent < 500, `stopped ${Date.now() - sent} ms after the second signal`);
  assert.equal(r.code, 130);
  // Left behind, as a container's PID 1 would leave it for the engine to kill.
  process.kill(executor.record()!.pid, 'SIGKILL');
});
