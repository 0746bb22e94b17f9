import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HttpError, createHttpClient } from '../../../shared/http.ts';
import { createLogger } from '../../../shared/log.ts';
import { Cancelled, TimedOut, boundStep } from '../../../shared/stop.ts';
import { type HostileServer, type Hostility, startHostileServer } from '../../support/hostile-http.ts';

async function withServer(h: Hostility, body: (s: HostileServer) => Promise<void>): Promise<void> {
  const s = await startHostileServer(h);
  try {
    await body(s);
  } finally {
    await s.close();
  }
}

function recordingLog() {
  const lines: string[] = [];
  const sink = (t: string) => void lines.push(t.trimEnd());
  return { lines, log: createLogger({ out: sink, err: sink, debug: true }) };
}

for (const kind of ['silent', 'stall-body'] as const) {
  test(`the step's deadline ends a ${kind} request long before its own timeout, and no retry follows`, () =>
    withServer({ kind }, async (server) => {
      const step = boundStep(new AbortController().signal, { ms: 200, text: 'settings.timeout: 200ms' });
      const started = Date.now();
      const err = await createHttpClient({ timeoutMs: 60_000, retries: 3, proxyEnv: {}, signal: step.signal, deadline: step.deadline })
        .request({ url: `${server.url}/api/v1` })
        .catch((e: unknown) => e);
      assert.ok(err instanceof TimedOut, String(err));
      assert.equal(err.message, `GET ${server.url}: no complete answer within settings.timeout: 200ms`);
      assert.ok(Date.now() - started < 1000);
      assert.equal(server.requests, 1);
    }));
}

test('the per-request timeout covers a body that stops half-way, and is retried as a network error', () =>
  withServer({ kind: 'stall-body' }, async (server) => {
    const err = await createHttpClient({ timeoutMs: 100, retries: 1, proxyEnv: {}, sleep: async () => {} })
      .request({ url: server.url })
      .catch((e: unknown) => e);
    assert.ok(err instanceof HttpError);
    assert.match(err.message, /no answer within 100 ms/);
    assert.equal(server.requests, 2);
  }));

test('a Retry-After beyond the time left returns the answer at once and says why; within it, it is waited for', () =>
  withServer({ kind: 'retry-after', status: 503, seconds: 30 }, async (server) => {
    const { lines, log } = recordingLog();
    const waits: number[] = [];
    const sleep = async (ms: number) => void waits.push(ms);
    const step = boundStep(new AbortController().signal, { ms: 10_000, text: 'settings.timeout: 10s' });
    const res = await createHttpClient({ proxyEnv: {}, sleep, log, signal: step.signal, deadline: step.deadline }).request({ url: server.url });
    step.dispose();
    assert.equal(res.status, 503);
    assert.deepEqual(waits, []);
    assert.match(lines.join('\n'), /^GET http:\/\/127\.0\.0\.1:\d+: HTTP 503; not retrying: the server asks to wait 30 s, more than the (9\.\d|10) s left of settings\.timeout: 10s$/m);

    const long = boundStep(new AbortController().signal, { ms: 60_000, text: 'settings.timeout: 1m' });
    await createHttpClient({ proxyEnv: {}, sleep, log, retries: 1, signal: long.signal, deadline: long.deadline }).request({ url: server.url });
    long.dispose();
    assert.deepEqual(waits, [30_000]);
  }));

test('a cancel ends a retry wait at once, naming the request', () =>
  withServer({ kind: 'retry-after', status: 503, seconds: 20 }, async (server) => {
    const cancel = new AbortController();
    const { log } = recordingLog();
    const pending = createHttpClient({ proxyEnv: {}, log, signal: cancel.signal }).request({ url: server.url, method: 'POST', body: '{}' });
    setTimeout(() => cancel.abort(new Cancelled('SIGTERM')), 100);
    const started = Date.now();
    const err = await pending.catch((e: unknown) => e);
    assert.ok(err instanceof Cancelled);
    assert.equal(err.message, `cancelled by SIGTERM during POST ${server.url}`);
    assert.ok(Date.now() - started < 1000);
  }));

test('a request on a step already stopped is not sent', () =>
  withServer({ kind: 'silent' }, async (server) => {
    const err = await createHttpClient({ proxyEnv: {}, signal: AbortSignal.abort(new Cancelled('SIGINT')) })
      .request({ url: server.url })
      .catch((e: unknown) => e);
    assert.ok(err instanceof Cancelled && err.exitCode === 130);
    assert.equal(server.requests, 0);
  }));
