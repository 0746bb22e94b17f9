import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { createHttpClient } from '../../../shared/http.ts';
import { createLogger } from '../../../shared/log.ts';
import { sendJson } from '../../../shared/notify/send.ts';
import { masker } from '../../../shared/secrets.ts';

const answers: Array<{ status: number; body: string; headers?: Record<string, string> }> = [];
const bodies: unknown[] = [];
let base = '';
const server = http.createServer((req, res) => {
  let raw = '';
  req.on('data', (c: Buffer) => (raw += c));
  req.on('end', () => {
    bodies.push({ path: req.url, type: req.headers['content-type'], body: JSON.parse(raw) });
    const a = answers.shift() ?? { status: 200, body: '1' };
    res.writeHead(a.status, a.headers).end(a.body);
  });
});
before(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => server.close());

const client = () => createHttpClient({ sleep: async () => {}, log: createLogger({ out: () => {}, err: () => {} }) });

test('sendJson posts JSON and returns a 2xx answer, after retrying 429 and 5xx', async () => {
  bodies.length = 0;
  answers.push({ status: 429, body: 'slow down', headers: { 'retry-after': '0' } }, { status: 502, body: 'bad gateway' });
  const res = await sendJson(client(), { url: `${base}/hook`, body: { text: 'hi' }, service: 'Chat', setting: 'webhook' });
  assert.equal(res.status, 200);
  assert.equal(bodies.length, 3);
  assert.deepEqual(bodies[2], { path: '/hook', type: 'application/json; charset=utf-8', body: { text: 'hi' } });
});

test("an error answer quotes the service's text, masked and cut, and names the setting", async () => {
  masker.add('hook-secret-token');
  answers.push({ status: 400, body: `{"error": "bad card for hook-secret-token ${'x'.repeat(400)}"}` });
  await assert.rejects(sendJson(client(), { url: `${base}/hook-secret-token`, body: {}, service: 'Chat', setting: 'webhook' }), (err: Error & { hint?: string }) => {
    assert.match(err.message, /^posting to Chat \(settings\.webhook\) failed: HTTP 400: \{"error": "bad card for \*{8} x+\.\.\.$/);
    assert.ok(err.message.length < 300);
    return true;
  });
  answers.push({ status: 404, body: '' });
  await assert.rejects(sendJson(client(), { url: `${base}/gone`, body: {}, service: 'Chat', setting: 'webhook', hint: (s) => (s === 404 ? 'make a new one' : undefined) }), (err: Error & { hint?: string }) => {
    assert.equal(err.message, 'posting to Chat (settings.webhook) failed: HTTP 404 with an empty body');
    assert.equal(err.hint, 'make a new one');
    return true;
  });
});

test('an unreachable service is an error naming the setting, never the path of the URL', async () => {
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  await assert.rejects(sendJson(createHttpClient({ retries: 0 }), { url: `http://127.0.0.1:${port}/secret/path`, body: {}, service: 'Chat', setting: 'webhook' }), (err: Error) => {
    assert.match(err.message, /^settings\.webhook: cannot reach Chat: POST http:\/\/127\.0\.0\.1:\d+ failed: ECONNREFUSED/);
    assert.ok(!err.message.includes('secret'));
    return true;
  });
});

test("urlSecrets: a webhook's credentials in its query are secrets one by one, the other parameters not", async () => {
  const { urlSecrets } = await import('../../../shared/secrets.ts');
  const found = urlSecrets('https://chat.googleapis.com/v1/spaces/AAAA/messages?key=AIzaKey&token=tok-en%3D&api-version=2016-06-01&sig=S1g');
  for (const secret of ['AIzaKey', 'tok-en=', 'S1g']) assert.ok(found.includes(secret), secret);
  assert.ok(!found.includes('2016-06-01'));
});
