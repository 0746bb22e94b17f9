import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Cancelled, TimedOut, boundStep, durationText, sleep, stopOf, unlessStopped } from '../../../shared/stop.ts';

test('the step signal aborts at its limit with TimedOut, naming the limit as the user wrote it', async () => {
  const step = boundStep(new AbortController().signal, { ms: 30, text: 'settings.timeout: 30ms' });
  assert.ok(step.deadline && Math.abs(step.deadline.at - (Date.now() + 30)) < 10);
  await sleep(60);
  assert.ok(step.signal.aborted);
  const stop = stopOf(step.signal);
  assert.ok(stop instanceof TimedOut);
  assert.equal(stop.message, 'the step did not finish within settings.timeout: 30ms');
  assert.equal(stop.during('GET https://kube:6443').message, 'GET https://kube:6443: no complete answer within settings.timeout: 30ms');
  assert.match(stop.hint ?? '', /^Raise settings\.timeout /);
});

test('a cancel aborts the step signal with its reason; dispose stops the clock', async () => {
  const cancel = new AbortController();
  const step = boundStep(cancel.signal, { ms: 20, text: 'settings.timeout: 20ms' });
  cancel.abort(new Cancelled('SIGINT'));
  assert.ok(stopOf(step.signal) instanceof Cancelled);
  const quiet = boundStep(new AbortController().signal, { ms: 20, text: 'settings.timeout: 20ms' });
  quiet.dispose();
  await sleep(40);
  assert.equal(quiet.signal.aborted, false);
  // Beyond what a timer can hold: no limit rather than an immediate one.
  const huge = boundStep(new AbortController().signal, { ms: 2 ** 32, text: 'settings.timeout: 1193h' });
  await sleep(5);
  assert.equal(huge.signal.aborted, false);
  huge.dispose();
});

test('a cancel exits 128 + the signal number and says what it interrupted', () => {
  assert.equal(new Cancelled('SIGTERM').exitCode, 143);
  assert.equal(new Cancelled('SIGINT').exitCode, 130);
  assert.equal(new Cancelled('SIGTERM').during('POST https://hooks.slack.com').message, 'cancelled by SIGTERM during POST https://hooks.slack.com');
  assert.equal(stopOf(AbortSignal.abort(new Error('other'))), undefined);
});

test('sleep ends early with the reason when the signal aborts, at once when it already has', async () => {
  const ctl = new AbortController();
  const started = Date.now();
  const slept = sleep(10_000, ctl.signal);
  setTimeout(() => ctl.abort(new Cancelled('SIGTERM')), 20);
  await assert.rejects(slept, Cancelled);
  assert.ok(Date.now() - started < 1000);
  await assert.rejects(sleep(10_000, ctl.signal), Cancelled);
});

test('durations read back as a setting is written', () => {
  assert.equal(durationText(10_000), '10s');
  assert.equal(durationText(300_000), '5m');
  assert.equal(durationText(5_400_000), '1h30m');
  assert.equal(durationText(90_000), '1m30s');
  assert.equal(durationText(1500), '1500ms');
});

test('a run that ignores the signal is given up on a grace period after it, with the reason', async () => {
  const ctl = new AbortController();
  const never = new Promise<number>(() => {});
  setTimeout(() => ctl.abort(new Cancelled('SIGTERM')), 20);
  const started = Date.now();
  await assert.rejects(unlessStopped(never, ctl.signal, 50), Cancelled);
  assert.ok(Date.now() - started >= 65 && Date.now() - started < 500);
  // A run that ends within the grace keeps its own outcome.
  const late = new AbortController();
  late.abort(new Cancelled('SIGINT'));
  assert.equal(await unlessStopped(sleep(10).then(() => 7), late.signal, 200), 7);
  assert.equal(await unlessStopped(Promise.resolve(3), new AbortController().signal, 10), 3);
});
