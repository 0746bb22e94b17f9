import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { HttpError, createHttpClient, isCertificateError } from '../../../shared/http.ts';
import { startHostileServer } from '../../support/hostile-http.ts';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;
const servers: Array<http.Server> = [];
after(() => {
  for (const s of servers) s.close();
});

async function serve(handler: Handler, server: http.Server = http.createServer()): Promise<string> {
  server.on('request', (req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => handler(req, res, body));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const scheme = server instanceof https.Server ? 'https' : 'http';
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function recordingSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

test('retries 5xx with backoff, then returns the answer', async () => {
  let calls = 0;
  const url = await serve((_req, res, body) => {
    calls++;
    res.writeHead(calls < 3 ? 503 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ calls, body }));
  });
  const { waits, sleep } = recordingSleep();
  const res = await createHttpClient({ sleep, proxyEnv: {} }).request({ url, method: 'POST', body: 'x' });
  assert.equal(res.status, 200);
  assert.deepEqual(res.json(), { calls: 3, body: 'x' });
  assert.equal(waits.length, 2);
});

test('honours Retry-After on 429', async () => {
  let calls = 0;
  const url = await serve((_req, res) => {
    calls++;
    if (calls === 1) res.writeHead(429, { 'retry-after': '2' }).end('slow down');
    else res.writeHead(200).end('ok');
  });
  const { waits, sleep } = recordingSleep();
  const res = await createHttpClient({ sleep, proxyEnv: {} }).request({ url });
  assert.equal(res.text(), 'ok');
  assert.deepEqual(waits, [2000]);
});

test('gives up after the retries and returns the last answer; 4xx is not retried', async () => {
  let calls = 0;
  const url = await serve((req, res) => {
    calls++;
    res.writeHead(req.url === '/bad' ? 400 : 500).end('no');
  });
  const { sleep } = recordingSleep();
  const client = createHttpClient({ sleep, retries: 2, proxyEnv: {} });
  assert.equal((await client.request({ url })).status, 500);
  assert.equal(calls, 3);
  assert.equal((await client.request({ url: `${url}/bad` })).status, 400);
  assert.equal(calls, 4);
});

test('a client may veto retrying an answer that fails the same way every time; sent counts every attempt', async () => {
  const url = await serve((req, res) => res.writeHead(500).end(req.url === '/same' ? 'deterministic' : 'flaky'));
  const { sleep } = recordingSleep();
  const client = createHttpClient({ sleep, retries: 2, proxyEnv: {}, retryable: (res) => res.text() !== 'deterministic' });
  assert.equal((await client.request({ url: `${url}/same` })).status, 500);
  assert.equal(client.sent, 1);
  await client.request({ url: `${url}/other` });
  assert.equal(client.sent, 4);
});

test('a network error becomes one clear HttpError with a hint', async () => {
  const { sleep } = recordingSleep();
  const err = await createHttpClient({ sleep, retries: 1, proxyEnv: {} })
    .request({ url: 'http://127.0.0.1:1/x' })
    .catch((e: unknown) => e);
  assert.ok(err instanceof HttpError);
  assert.match(err.message, /^GET http:\/\/127\.0\.0\.1:1 failed: ECONNREFUSED/);
  assert.match(err.hint ?? '', /reach/);
});

test('a request that gets no answer times out', async () => {
  const url = await serve(() => {});
  const err = await createHttpClient({ timeoutMs: 100, retries: 0, proxyEnv: {} })
    .request({ url })
    .catch((e: unknown) => e);
  assert.ok(err instanceof HttpError);
  assert.match(err.message, /no answer within 100 ms/);
});

test('HTTP_PROXY is honoured and NO_PROXY bypasses it', async () => {
  const target = await serve((_req, res) => res.end('direct'));
  const proxy = await serve((req, res) => res.end(`proxied ${req.url}`));
  const viaProxy = createHttpClient({ proxyEnv: { HTTP_PROXY: proxy } });
  assert.equal((await viaProxy.request({ url: `${target.replace('127.0.0.1', 'example.invalid')}/p` })).text(), `proxied ${target.replace('127.0.0.1', 'example.invalid')}/p`);
  const bypass = createHttpClient({ proxyEnv: { HTTP_PROXY: proxy, NO_PROXY: '127.0.0.1' } });
  assert.equal((await bypass.request({ url: target })).text(), 'direct');
});

test('a custom CA is trusted; without it the certificate error says what to do', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ca-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
  const cert = readFileSync(join(dir, 'cert.pem'));
  const url = await serve((_req, res) => res.end('secure'), https.createServer({ cert, key: readFileSync(join(dir, 'key.pem')) }));
  assert.equal((await createHttpClient({ ca: cert, proxyEnv: {} }).request({ url })).text(), 'secure');
  const { waits, sleep } = recordingSleep();
  const untrusted = createHttpClient({ retries: 3, sleep, proxyEnv: {} });
  const err = await untrusted.request({ url }).catch((e: unknown) => e);
  assert.ok(err instanceof HttpError);
  assert.ok(isCertificateError(err));
  assert.match(err.hint ?? '', /CA certificate/);
  assert.deepEqual(waits, [], 'a certificate error is not retried');
  assert.equal(untrusted.sent, 1);
});

test('the fetch adapter serves libraries that take a fetch', async () => {
  const url = await serve((req, res, body) => res.writeHead(201, { 'x-echo': req.method ?? '' }).end(body.toUpperCase()));
  const res = await createHttpClient({ proxyEnv: {} }).fetch(url, { method: 'PUT', body: 'hello', headers: { 'content-type': 'text/plain' } });
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('x-echo'), 'PUT');
  assert.equal(await res.text(), 'HELLO');
});

test('an answer that never ends is cut off at the body limit, naming the server and the limit, not retried', async (t) => {
  const endless = await startHostileServer({ kind: 'endless' });
  t.after(() => endless.close());
  const client = createHttpClient({ sleep: recordingSleep().sleep, timeoutMs: 60_000 });
  const started = Date.now();
  await assert.rejects(client.request({ url: `${endless.url}/api` }), (err: HttpError) => {
    assert.match(err.message, /^GET http:\/\/127\.0\.0\.1:\d+ failed: the answer is longer than 64 MiB/);
    return true;
  });
  assert.equal(endless.requests, 1);
  assert.ok(Date.now() - started < 20_000);
});
