import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { startBundle } from '../support/bundle-process.ts';
import { droneBuildEnv } from '../support/drone-env.ts';
import { type HostileServer, type Hostility, startHostileServer } from '../support/hostile-http.ts';

/** A registry that does not answer, or answers what no registry does: the step ends in bounded time, naming it. */
async function hostile(t: TestContext, h: Hostility): Promise<HostileServer> {
  const server = await startHostileServer(h);
  t.after(() => server.close());
  return server;
}

function manifest(server: HostileServer, settings: Record<string, string> = {}) {
  const workspace = mkdtempSync(join(tmpdir(), 'manifest-bounds-'));
  const host = server.url.replace('http://', '');
  return startBundle('manifest', {
    ...droneBuildEnv,
    DRONE_WORKSPACE: workspace,
    PLUGIN_ENV_FILE: join(workspace, 'none'),
    DOCKER_CONFIG: join(workspace, 'none'),
    PLUGIN_TARGET: `${host}/team/app:1`,
    PLUGIN_TEMPLATE: `${host}/team/app:1-ARCH`,
    PLUGIN_PLATFORMS: 'linux/amd64,linux/arm64',
    ...settings,
  });
}

test('a registry that never answers ends the step at settings.timeout, naming it', async (t) => {
  const server = await hostile(t, { kind: 'silent' });
  const r = await manifest(server, { PLUGIN_TIMEOUT: '2s' }).ended;
  assert.equal(r.code, 1, r.stderr);
  assert.ok(r.elapsedMs < 4000, `ended after ${r.elapsedMs} ms`);
  assert.match(r.stderr, /^error: GET http:\/\/127\.0\.0\.1:\d+: no complete answer within settings\.timeout: 2s$/m);
});

test('SIGTERM mid-request: exit 143 within 2 s', async (t) => {
  const server = await hostile(t, { kind: 'silent' });
  const run = manifest(server);
  while (server.requests === 0) await new Promise((r) => setTimeout(r, 20));
  const sent = run.kill('SIGTERM');
  const r = await run.ended;
  assert.ok(Date.now() - sent < 2000, `stopped ${Date.now() - sent} ms after SIGTERM`);
  assert.equal(r.code, 143, r.stderr);
  assert.match(r.lastLine, /^error: cancelled by SIGTERM during GET http:\/\/127\.0\.0\.1:\d+$/);
});

test('a server that answers a manifest request with HTML is an error naming the image', async (t) => {
  const server = await hostile(t, { kind: 'answer', status: 200, body: '<html>login</html>' });
  const r = await manifest(server).ended;
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^error: 127\.0\.0\.1:\d+\/team\/app:1-amd64: the registry sent a manifest that is not JSON$/m);
});

test('a registry that refuses with its own error words is quoted', async (t) => {
  const server = await hostile(t, { kind: 'answer', status: 403, body: '{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}' });
  const r = await manifest(server).ended;
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /^error: GET manifest of 127\.0\.0\.1:\d+\/team\/app:1-amd64: HTTP 403 DENIED: requested access to the resource is denied$/m);
});
