import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type KubeApi, startKubeApi } from '../kube-api/server.ts';
import { startBundle } from '../support/bundle-process.ts';
import { type HostileServer, type Hostility, startHostileServer } from '../support/hostile-http.ts';

let api: KubeApi;
const servers: HostileServer[] = [];
before(async () => {
  api = await startKubeApi({ controllerIntervalMs: 20, namespaces: ['bounds'] });
});
after(() => Promise.all([api.close(), ...servers.map((s) => s.close())]));

async function hostile(h: Hostility): Promise<HostileServer> {
  const s = await startHostileServer(h);
  servers.push(s);
  return s;
}

const TOKEN = 'bounds-kube-token-0123456789';

const configMap = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n`;

/** A Deployment whose pods stay Pending (the emulator's `stall` fault): it never rolls out. */
const stalled = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 1
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
      annotations: {emulator.sortie.dev/fault: stall}
    spec:
      containers:
        - name: app
          image: nginx:1.27
`;

function deploy(files: Record<string, string>, env: Record<string, string>) {
  const ws = mkdtempSync(join(tmpdir(), 'k8s-bounds-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(ws, name), text);
  return startBundle('kubernetes', { DRONE_WORKSPACE: ws, PLUGIN_ENV_FILE: join(ws, 'no-env-file'), PLUGIN_MANIFESTS: Object.keys(files).join(','), ...env }, { cwd: ws });
}

for (const kind of ['silent', 'stall-body'] as const) {
  test(`an API server that ${kind === 'silent' ? 'never answers' : 'stops mid-body'} ends the step at settings.timeout, naming the server and the timeout`, async () => {
    const server = await hostile({ kind });
    const r = await deploy({ 'c.yaml': configMap }, { PLUGIN_SERVER: server.url, PLUGIN_TOKEN: TOKEN, PLUGIN_TIMEOUT: '3s' }).ended;
    assert.equal(r.code, 1, r.stderr);
    // Today's per-request limit is 60 s, with 3 retries: the step's limit must cut through both.
    assert.ok(r.elapsedMs >= 2900 && r.elapsedMs < 5000, `ended after ${r.elapsedMs} ms`);
    assert.match(r.stderr, new RegExp(`^error: GET ${server.url.replaceAll('.', '\\.')}: no complete answer within settings\\.timeout: 3s$`, 'm'));
    assert.match(r.stdout, /^hint: Raise settings\.timeout/m);
    assert.ok(!(r.stdout + r.stderr).includes(TOKEN), 'the token leaked');
  });
}

test('a Retry-After beyond the time left is not waited for: the server answer is reported at once', async () => {
  const server = await hostile({ kind: 'retry-after', status: 503, seconds: 40 });
  const r = await deploy({ 'c.yaml': configMap }, { PLUGIN_SERVER: server.url, PLUGIN_TOKEN: TOKEN, PLUGIN_TIMEOUT: '10s' }).ended;
  assert.equal(r.code, 1, r.stderr);
  assert.ok(r.elapsedMs < 2500, `ended after ${r.elapsedMs} ms`);
  assert.equal(server.requests, 1);
  assert.match(r.stdout, /GET http:\/\/127\.0\.0\.1:\d+: HTTP 503; not retrying: the server asks to wait 40 s, more than the [\d.]+ s left of settings\.timeout: 10s/);
  assert.match(r.stderr, /error: discover the kinds of apiVersion v1: slow down \(503\)/);
});

test('the timeout bounds the apply and the wait together: a rollout that never finishes ends at settings.timeout', async () => {
  const r = await deploy({ 'd.yaml': stalled('never') }, { PLUGIN_KUBECONFIG: api.kubeconfig(), PLUGIN_NAMESPACE: 'bounds', PLUGIN_TIMEOUT: '3s' }).ended;
  assert.equal(r.code, 1, r.stderr);
  assert.ok(r.elapsedMs < 4500, `ended after ${r.elapsedMs} ms`);
  assert.match(r.stderr, /error: deployment\.apps\/never did not finish within 3 s: /);
});

for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
] as const) {
  test(`${signal} mid-wait stops waiting within 2 s: what was applied and what was still rolling out, exit ${code}`, async () => {
    const name = `stuck-${signal.toLowerCase()}`;
    const run = deploy({ 'c.yaml': configMap.replace('name: settings', `name: ${name}`), 'd.yaml': stalled(name) }, { PLUGIN_KUBECONFIG: api.kubeconfig(), PLUGIN_NAMESPACE: 'bounds' });
    await run.until(/\[\d+s\] deployment\.apps\//);
    const sent = run.kill(signal);
    const r = await run.ended;
    assert.ok(Date.now() - sent < 2000, `stopped ${Date.now() - sent} ms after ${signal}`);
    assert.equal(r.code, code, r.stderr);
    assert.match(r.stdout, new RegExp(`^configmap/${name} created$`, 'm'));
    assert.match(r.stdout, /^applied 2 objects \(2 created, 0 configured, 0 unchanged\)/m);
    assert.match(r.stdout, new RegExp(`^deployment\\.apps/${name} still rolling out: `, 'm'));
    assert.equal(r.lastLine, `error: cancelled by ${signal} while waiting for deployment.apps/${name} to roll out`);
  });
}

test('SIGTERM mid-apply: every object whose apply was answered is listed, then how many of all, exit 143', async () => {
  // A real API server's pace, and more objects than the plugin keeps in flight: once the first
  // applies are answered, the cancel lands while the next ones are.
  const slow = await startKubeApi({ namespaces: ['slow'], latencyMs: 300 });
  const count = 150;
  try {
    const many = Array.from({ length: count }, (_, i) => configMap.replace('name: settings', `name: cm-${i}`)).join('---\n');
    const run = deploy({ 'many.yaml': many }, { PLUGIN_KUBECONFIG: slow.kubeconfig(), PLUGIN_NAMESPACE: 'slow' });
    const applies = () => slow.requests.filter((q) => q.method === 'PATCH' && !q.path.includes('dryRun') && q.status === 201).length;
    while (applies() < 1) await new Promise((r) => setTimeout(r, 10));
    const sent = run.kill('SIGTERM');
    const r = await run.ended;
    assert.ok(Date.now() - sent < 2000, `stopped ${Date.now() - sent} ms after SIGTERM`);
    assert.equal(r.code, 143, r.stderr);
    const created = r.stdout.split('\n').filter((l) => /^configmap\/cm-\d+ created$/.test(l)).length;
    assert.ok(created > 0 && created < count, r.stdout);
    assert.match(r.stdout, new RegExp(`^${created} of ${count} objects applied before the step stopped$`, 'm'));
    assert.match(r.lastLine, /^error: cancelled by SIGTERM during PATCH https:\/\/127\.0\.0\.1:\d+$/);
  } finally {
    await slow.close();
  }
});

/** A kubeconfig whose credential plugin hangs (it never prints a credential): nothing in it can be aborted. */
const hangingExec = `apiVersion: v1
kind: Config
current-context: ci
clusters: [{name: c, cluster: {server: "http://127.0.0.1:9"}}]
contexts: [{name: ci, context: {cluster: c, user: hangs}}]
users:
  - name: hangs
    user:
      exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sleep, args: ["20"], interactiveMode: Never}
`;

test('what does not honour the bounds cannot hold the step: a hanging exec credential plugin ends at the timeout plus 1.5 s', async () => {
  const r = await deploy({ 'c.yaml': configMap }, { PLUGIN_KUBECONFIG: hangingExec, PLUGIN_TIMEOUT: '2s' }).ended;
  assert.equal(r.code, 1, r.stderr);
  assert.ok(r.elapsedMs >= 3400 && r.elapsedMs < 5500, `ended after ${r.elapsedMs} ms`);
  assert.equal(r.stderr, 'error: the step did not finish within settings.timeout: 2s\n');
});

test('and a cancel then ends it 1.5 s after the signal, exit 143', async () => {
  const run = deploy({ 'c.yaml': configMap }, { PLUGIN_KUBECONFIG: hangingExec });
  await new Promise((r) => setTimeout(r, 500));
  const sent = run.kill('SIGTERM');
  const r = await run.ended;
  const took = Date.now() - sent;
  assert.ok(took >= 1400 && took < 2000, `stopped ${took} ms after SIGTERM`);
  assert.equal(r.code, 143);
  assert.equal(r.lastLine, 'error: cancelled by SIGTERM');
});

test('SIGTERM while a request hangs: the request is abandoned at once, exit 143', async () => {
  const server = await hostile({ kind: 'silent' });
  const run = deploy({ 'c.yaml': configMap }, { PLUGIN_SERVER: server.url, PLUGIN_TOKEN: TOKEN });
  while (server.requests === 0) await new Promise((r) => setTimeout(r, 20));
  const sent = run.kill('SIGTERM');
  const r = await run.ended;
  assert.ok(Date.now() - sent < 2000, `stopped ${Date.now() - sent} ms after SIGTERM`);
  assert.equal(r.code, 143);
  assert.match(r.lastLine, /^error: cancelled by SIGTERM during GET http:\/\/127\.0\.0\.1:\d+$/);
});
