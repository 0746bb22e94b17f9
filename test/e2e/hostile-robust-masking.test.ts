import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dump, load } from 'js-yaml';
import { type KubeApi, startKubeApi } from '../kube-api/server.ts';
import { startHostileServer } from '../support/hostile-http.ts';
import { runBundle } from '../support/run-bundle.ts';
import { assertNoSecret } from '../support/secrets.ts';
import { workspace } from '../support/workspace.ts';

const MASK = '********';
let api: KubeApi;
before(async () => {
  api = await startKubeApi({ controllerIntervalMs: 20, namespaces: ['demo'] });
});
after(() => api.close());

async function deploy(ws: string, env: Record<string, string>) {
  const r = await runBundle('kubernetes', { DRONE_WORKSPACE: ws, PLUGIN_ENV_FILE: join(ws, 'no-env-file'), ...env }, { cwd: ws, timeoutMs: 90_000 });
  return { ...r, out: r.stdout + r.stderr };
}

const pem = (bytes: number) => `-----BEGIN CERTIFICATE-----\n${randomBytes(bytes).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;

/** The kubeconfig `base`, with a second user whose embedded certificate and key make it about 40 KB. */
function largeKubeconfig(base: string): string {
  const config = load(base) as { users: unknown[] };
  const data = (bytes: number) => Buffer.from(pem(bytes)).toString('base64');
  config.users.push({ name: 'other-cluster-admin', user: { 'client-certificate-data': data(15_000), 'client-key-data': data(15_000) } });
  return dump(config, { lineWidth: -1 });
}

/** A Secret of one 200 KB certificate bundle and 2,000 other values. */
function largeSecret(bundle: string, values: readonly string[]): string {
  return dump({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'tls-bundle' },
    stringData: { 'ca-bundle.crt': bundle, ...Object.fromEntries(values.map((v, i) => [`key-${i}`, v])) },
  });
}

describe('masking large and many secrets, through the bundle', () => {
  it('a 40 KB kubeconfig and a Secret of a 200 KB bundle and 2,000 values deploy, in bounded time', async () => {
    const bundle = pem(150_000);
    const values = Array.from({ length: 2000 }, () => randomBytes(18).toString('base64'));
    const ws = workspace({ 'k8s/secret.yaml': largeSecret(bundle, values) });
    const kubeconfig = largeKubeconfig(api.kubeconfig({ namespace: 'demo' }));
    assert.ok(kubeconfig.length > 40_000);
    const started = Date.now();
    const r = await deploy(ws, { PLUGIN_KUBECONFIG: kubeconfig, PLUGIN_MANIFESTS: 'k8s/', PLUGIN_NAMESPACE: 'demo', PLUGIN_DEBUG: 'true' });
    assert.equal(r.code, 0, r.out.slice(0, 2000));
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
    assert.doesNotMatch(r.out, /Invalid regular expression|unexpected failure/);
    for (const line of bundle.split('\n').slice(1, 40)) assertNoSecret(r.out, line, 16);
    for (const v of values.slice(0, 50)) assertNoSecret(r.out, v, 16);
  });

  it('a server quoting a 200 KB secret back has it masked in the error, and the step fails cleanly', async (t) => {
    const bundle = pem(150_000);
    const token = randomBytes(1800).toString('base64');
    // A secret of 40 KB bound to the step's environment: its name says it is one.
    const key = randomBytes(30_000).toString('base64');
    // A loopback "API server" quoting the secrets back.
    const echo = await startHostileServer({ kind: 'answer', status: 400, body: `rejected: ${JSON.stringify(bundle)} and ${token} and ${key}` });
    t.after(() => echo.close());
    const ws = workspace({ 'k8s/secret.yaml': largeSecret(bundle, ['v4lue-0f-th3-s3cret']) });
    const kubeconfig = dump({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'echo', cluster: { server: echo.url } }],
      users: [{ name: 'ci', user: { token } }],
      contexts: [{ name: 'ci', context: { cluster: 'echo', user: 'ci', namespace: 'demo' } }],
      'current-context': 'ci',
    });
    const started = Date.now();
    const r = await deploy(ws, { PLUGIN_KUBECONFIG: kubeconfig, PLUGIN_MANIFESTS: 'k8s/', SIGNING_PRIVATE_KEY: key });
    assert.equal(r.code, 1, r.out.slice(0, 2000));
    assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
    assert.doesNotMatch(r.out, /Invalid regular expression|unexpected failure/);
    assert.ok(r.out.includes(`rejected: "${MASK}\\n" and ${MASK} and ${MASK}`), r.out.slice(0, 2000));
    assertNoSecret(r.out, token, 16);
    assertNoSecret(r.out, key, 16);
    for (const line of bundle.split('\n').slice(1, 40)) assertNoSecret(r.out, line, 16);
  });
});
