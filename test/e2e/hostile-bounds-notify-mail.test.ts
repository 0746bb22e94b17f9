import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startBundle } from '../support/bundle-process.ts';
import { droneStepEnv } from '../support/drone-env.ts';
import { type HostileServer, startHostileServer } from '../support/hostile-http.ts';

const HOOK_PATH = '/hooks/Rb7Kd2Wq9Zm4Tx';
const closers: Array<() => Promise<void>> = [];
after(() => Promise.all(closers.map((c) => c())));

async function silentHttp(): Promise<HostileServer> {
  const s = await startHostileServer({ kind: 'silent' });
  closers.push(() => s.close());
  return s;
}

/** A TCP server that accepts and never sends the SMTP greeting. */
async function silentSmtp(): Promise<{ port: number; connections: () => number }> {
  const sockets: Socket[] = [];
  const server: Server = createServer((socket) => void sockets.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return { port: (server.address() as AddressInfo).port, connections: () => sockets.length };
}

function start(plugin: 'webhook' | 'email', settings: Record<string, string>) {
  const workspace = mkdtempSync(join(tmpdir(), `${plugin}-bounds-`));
  return startBundle(plugin, { ...droneStepEnv(workspace), ...settings });
}

const smtpSettings = (port: number) => ({ PLUGIN_HOST: '127.0.0.1', PLUGIN_PORT: String(port), PLUGIN_FROM: 'drone@example.com', PLUGIN_RECIPIENTS: 'team@example.com' });

test('webhook: a server that never answers ends the step at settings.timeout, naming the server', async () => {
  const server = await silentHttp();
  const r = await start('webhook', { PLUGIN_URLS: server.url + HOOK_PATH, PLUGIN_TIMEOUT: '2s' }).ended;
  assert.equal(r.code, 1, r.stderr);
  assert.ok(r.elapsedMs < 4500, `ended after ${r.elapsedMs} ms`);
  assert.match(r.stderr, /^error: POST http:\/\/127\.0\.0\.1:\d+: no complete answer within settings\.timeout: 2s$/m);
  assert.ok(!(r.stdout + r.stderr).includes('Rb7Kd2Wq9Zm4Tx'));
});

test('email: an SMTP server that never greets ends the step at settings.timeout', async () => {
  const smtp = await silentSmtp();
  const r = await start('email', { ...smtpSettings(smtp.port), PLUGIN_TIMEOUT: '2s' }).ended;
  assert.equal(r.code, 1, r.stderr);
  assert.ok(r.elapsedMs < 4500, `ended after ${r.elapsedMs} ms`);
  assert.match(r.stderr, /error: .*(settings\.timeout: 2s|settings\.host: cannot reach the SMTP server 127\.0\.0\.1:\d+)/);
});

for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const) {
  test(`webhook: ${signal} mid-request: exit ${code} within 2 s`, async () => {
    const server = await silentHttp();
    const run = start('webhook', { PLUGIN_URLS: server.url + HOOK_PATH });
    while (server.requests === 0) await new Promise((r) => setTimeout(r, 20));
    const sent = run.kill(signal);
    const r = await run.ended;
    assert.ok(Date.now() - sent < 2000, `stopped ${Date.now() - sent} ms after ${signal}`);
    assert.equal(r.code, code, r.stderr);
    assert.match(r.lastLine, new RegExp(`^error: cancelled by ${signal} during POST http://127\\.0\\.0\\.1:\\d+$`));
  });

  test(`email: ${signal} while the server stalls: exit ${code} within 2 s, saying where`, async () => {
    const smtp = await silentSmtp();
    const run = start('email', smtpSettings(smtp.port));
    while (smtp.connections() === 0) await new Promise((r) => setTimeout(r, 20));
    const sent = run.kill(signal);
    const r = await run.ended;
    assert.ok(Date.now() - sent < 2000, `stopped ${Date.now() - sent} ms after ${signal}`);
    assert.equal(r.code, code, r.stderr);
    assert.match(r.lastLine, new RegExp(`^error: cancelled by ${signal} during sending to 127\\.0\\.0\\.1:${smtp.port}$`));
  });
}
