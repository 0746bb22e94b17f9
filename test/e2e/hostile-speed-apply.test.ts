import assert from 'node:assert/strict';
import { request } from 'node:https';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type KubeApi, startKubeApi } from '../kube-api/server.ts';
import { configMapYaml as configMap, deploymentYaml as deployment } from '../support/kube-manifests.ts';
import { runBundle } from '../support/run-bundle.ts';
import { workspace } from '../support/workspace.ts';

let api: KubeApi;
let seq = 0;
before(async () => {
  api = await startKubeApi({ controllerIntervalMs: 20 });
});
after(() => api.close());

async function deploy(files: Record<string, string>, ns: string) {
  const ws = workspace(files);
  const env = { PLUGIN_KUBECONFIG: api.kubeconfig(), PLUGIN_NAMESPACE: ns, PLUGIN_CREATE_NAMESPACE: 'true', PLUGIN_MANIFESTS: Object.keys(files).join(',') };
  const from = api.requests.length;
  const r = await runBundle('kubernetes', { DRONE_WORKSPACE: ws, PLUGIN_ENV_FILE: join(ws, 'no-env-file'), ...env }, { cwd: ws });
  const sent = api.requests.slice(from);
  // Writes are the PATCHes that are not dry runs.
  const writes = sent.filter((q) => q.method === 'PATCH' && !q.path.includes('dryRun=All')).map((q) => q.path.split('?')[0]!);
  return { ...r, out: r.stdout + r.stderr, sent, writes };
}

/** What `kubectl edit` does: a merge patch under its own field manager. */
function kubectlEdit(path: string, patch: unknown): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${api.url}${path}?fieldManager=kubectl-edit`,
      { method: 'PATCH', ca: api.caPem, headers: { authorization: `Bearer ${api.adminToken}`, 'content-type': 'application/merge-patch+json' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(patch));
  });
}

// A change is stamped to the second; what was applied more than 2 s ago is provably older than a new request.
const LATER = 2100;

describe('an unchanged object costs one request', () => {
  it('is dry-run only: not applied again, reported unchanged', async () => {
    const ns = `speed-${++seq}`;
    const files = { 'app.yaml': `${configMap('a', { k: '1' })}---\n${configMap('b', { k: '2' })}---\n${deployment('web')}` };
    const first = await deploy(files, ns);
    assert.equal(first.code, 0, first.out);
    await sleep(LATER);
    const again = await deploy(files, ns);
    assert.equal(again.code, 0, again.out);
    // A Namespace of only a name leaves its manager no managedFields entry to prove anything by: it is applied.
    assert.deepEqual(again.writes, [`/api/v1/namespaces/${ns}`], 'nothing else is applied for real');
    for (const l of [`namespace/${ns}`, 'configmap/a', 'configmap/b', 'deployment.apps/web']) assert.match(again.stdout, new RegExp(`^${l} unchanged$`, 'm'));
    assert.match(again.stdout, /^applied 4 objects \(0 created, 0 configured, 4 unchanged\)/m);
    // One dry run for each of the 4 objects, and nothing more of the three with fields.
    assert.equal(again.sent.filter((q) => q.method === 'PATCH' && !q.path.startsWith(`/api/v1/namespaces/${ns}?`)).length, 3);
  });

  it('a changed object is still applied, and only it', async () => {
    const ns = `speed-${++seq}`;
    const first = await deploy({ 'app.yaml': `${configMap('a', { k: '1' })}---\n${configMap('b', { k: '2' })}` }, ns);
    assert.equal(first.code, 0, first.out);
    await sleep(LATER);
    const changed = await deploy({ 'app.yaml': `${configMap('a', { k: '1' })}---\n${configMap('b', { k: 'two' })}` }, ns);
    assert.equal(changed.code, 0, changed.out);
    assert.deepEqual(changed.writes, [`/api/v1/namespaces/${ns}`, `/api/v1/namespaces/${ns}/configmaps/b`]);
    assert.match(changed.stdout, /^configmap\/a unchanged$/m);
    assert.match(changed.stdout, /^configmap\/b configured$/m);
    assert.equal((api.get(`/api/v1/namespaces/${ns}/configmaps/b`) as { data: Record<string, string> }).data.k, 'two');
  });

  it('an object another field manager changed (kubectl edit) is applied again, and put back', async () => {
    const ns = `speed-${++seq}`;
    const files = { 'app.yaml': configMap('a', { k: '1', other: 'x' }) };
    const first = await deploy(files, ns);
    assert.equal(first.code, 0, first.out);
    await sleep(LATER);
    assert.equal(await kubectlEdit(`/api/v1/namespaces/${ns}/configmaps/a`, { data: { k: 'edited' } }), 200);
    const again = await deploy(files, ns);
    assert.equal(again.code, 0, again.out);
    assert.deepEqual(again.writes, [`/api/v1/namespaces/${ns}`, `/api/v1/namespaces/${ns}/configmaps/a`]);
    assert.match(again.stdout, /^configmap\/a configured$/m);
    assert.equal((api.get(`/api/v1/namespaces/${ns}/configmaps/a`) as { data: Record<string, string> }).data.k, '1');
  });

  it('when the last change is too recent to tell, the object is applied (and still reported unchanged)', async () => {
    const ns = `speed-${++seq}`;
    const files = { 'app.yaml': configMap('a', { k: '1' }) };
    const first = await deploy(files, ns);
    assert.equal(first.code, 0, first.out);
    const again = await deploy(files, ns);
    assert.equal(again.code, 0, again.out);
    assert.ok(again.writes.includes(`/api/v1/namespaces/${ns}/configmaps/a`), 'applied, since its stamp is of the last second or two');
    assert.match(again.stdout, /^configmap\/a unchanged$/m);
  });
});

describe('every object is still dry-run before anything is written', () => {
  it('an invalid object among 500 leaves all 500 untouched, changed and unchanged alike', async () => {
    const ns = `speed-${++seq}`;
    const objects = (change: (i: number) => string) => ({ 'many.yaml': Array.from({ length: 500 }, (_, i) => change(i)).join('---\n') });
    const first = await deploy(objects((i) => configMap(`c${i}`, { v: '1' })), ns);
    assert.equal(first.code, 0, first.out);
    await sleep(LATER);
    const bad = await deploy(
      // c7 changed, c400 with a field ConfigMaps do not have.
      objects((i) => (i === 7 ? configMap('c7', { v: '2' }) : i === 400 ? 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c400\nspec:\n  bogus: true\n' : configMap(`c${i}`, { v: '1' }))),
      ns,
    );
    assert.equal(bad.code, 1, bad.out);
    assert.match(bad.stderr, /configmap\/c400/);
    assert.deepEqual(bad.writes, []);
    assert.equal(bad.sent.filter((q) => q.method === 'PATCH').length, 501, 'every object (and the Namespace) was dry-run');
    assert.equal((api.get(`/api/v1/namespaces/${ns}/configmaps/c7`) as { data: Record<string, string> }).data.v, '1');
  });
});
