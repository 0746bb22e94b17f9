import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startBundle } from '../support/bundle-process.ts';
import { droneStepEnv } from '../support/drone-env.ts';
import { type HostileServer, type Hostility, startHostileServer } from '../support/hostile-http.ts';

const SECRET_PATH = '/services/T0000SORT/B0000SORT/bounds-webhook-secret';
const servers: HostileServer[] = [];
after(() => Promise.all(servers.map((s) => s.close())));

async function hostile(h: Hostility): Promise<HostileServer> {
  const s = await startHostileServer(h);
  servers.push(s);
  return s;
}

function slack(settings: Record<string, string>) {
  const workspace = mkdtempSync(join(tmpdir(), 'slack-bounds-'));
  return startBundle('slack', { ...droneStepEnv(workspace), ...settings });
}

for (const kind of ['silent', 'stall-body'] as const) {
  test(`a server that ${kind === 'silent' ? 'never answers' : 'stops mid-body'} ends the step at settings.timeout, naming the server and the timeout`, async () => {
    const server = await hostile({ kind });
    const r = await slack({ PLUGIN_WEBHOOK: server.url + SECRET_PATH, PLUGIN_TIMEOUT: '3s' }).ended;
    assert.equal(r.code, 1, r.stderr);
    assert.ok(r.elapsedMs >= 2900 && r.elapsedMs < 5000, `ended after ${r.elapsedMs} ms`);
    assert.match(r.stderr, new RegExp(`^error: POST ${server.url.replaceAll('.', '\\.')}: no complete answer within settings\\.timeout: 3s$`, 'm'));
    assert.match(r.stdout, /^hint: Raise settings\.timeout/m);
    assert.ok(!(r.stdout + r.stderr).includes('bounds-webhook-secret'), 'the webhook leaked');
  });
}

test('the Web API path is bounded the same way: a token run against a silent server', async () => {
  const server = await hostile({ kind: 'silent' });
  const r = await slack({ PLUGIN_ACCESS_TOKEN: 'xoxb-bounds-token', PLUGIN_API_URL: `${server.url}/api`, PLUGIN_CHANNEL: 'ops', PLUGIN_TIMEOUT: '2s' }).ended;
  assert.equal(r.code, 1);
  assert.ok(r.elapsedMs < 4000, `ended after ${r.elapsedMs} ms`);
  assert.match(r.stderr, /error: POST http:\/\/127\.0\.0\.1:\d+: no complete answer within settings\.timeout: 2s/);
});

test('a Retry-After beyond the time left is not waited for: the answer is reported at once', async () => {
  const server = await hostile({ kind: 'retry-after', status: 429, seconds: 30, body: 'rate_limited' });
  const r = await slack({ PLUGIN_WEBHOOK: server.url + SECRET_PATH, PLUGIN_TIMEOUT: '5s' }).ended;
  assert.equal(r.code, 1, r.stderr);
  assert.ok(r.elapsedMs < 2500, `ended after ${r.elapsedMs} ms`);
  assert.equal(server.requests, 1);
  assert.match(r.stdout, /POST http:\/\/127\.0\.0\.1:\d+: HTTP 429; not retrying: the server asks to wait 30 s, more than the [\d.]+ s left of settings\.timeout: 5s/);
  assert.match(r.stderr, /error: posting to the webhook failed: Slack answered HTTP 429 rate_limited/);
});

for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const) {
  test(`${signal} mid-request aborts the request: exit ${code} within 2 s, the last line says so`, async () => {
    const server = await hostile({ kind: 'silent' });
    const run = slack({ PLUGIN_WEBHOOK: server.url + SECRET_PATH });
    while (server.requests === 0) await new Promise((r) => setTimeout(r, 20));
    const sent = run.kill(signal);
    const r = await run.ended;
    assert.ok(Date.now() - sent < 2000, `stopped ${Date.now() - sent} ms after ${signal}`);
    assert.equal(r.code, code, r.stderr);
    assert.match(r.lastLine, new RegExp(`^error: cancelled by ${signal} during POST http://127\\.0\\.0\\.1:\\d+$`));
  });
}
