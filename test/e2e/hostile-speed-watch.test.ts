import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { verdict } from '../../plugins/kubernetes/status.ts';
import { type KubeApi, startKubeApi } from '../kube-api/server.ts';
import { startBundle } from '../support/bundle-process.ts';
import { deploymentYaml } from '../support/kube-manifests.ts';
import { call } from '../unit/kube-api/helpers.ts';
import { workspace } from '../support/workspace.ts';

let api: KubeApi;
let seq = 0;
before(async () => {
  api = await startKubeApi({
    controllerIntervalMs: 20,
    namespaces: ['no-watch'],
    // Everything the deploy needs but `watch`.
    identities: [{ user: 'no-watcher', rules: [{ verbs: ['get', 'list', 'patch'], apiGroups: ['', 'apps'], resources: ['*'], namespaces: ['no-watch'] }] }],
  });
});
after(() => api.close());

function deploy(name: string, ns: string, env: Record<string, string> = {}) {
  const ws = workspace({ 'd.yaml': deploymentYaml(name, 2) });
  return startBundle(
    'kubernetes',
    { DRONE_WORKSPACE: ws, PLUGIN_ENV_FILE: `${ws}/no-env-file`, PLUGIN_KUBECONFIG: api.kubeconfig(), PLUGIN_NAMESPACE: ns, PLUGIN_CREATE_NAMESPACE: 'true', PLUGIN_MANIFESTS: 'd.yaml', ...env },
    { cwd: ws },
  );
}

/** When the emulator's Deployment first reads as rolled out, by the plugin's own rule. */
async function rolledOutAt(path: string, until: Promise<unknown>): Promise<number | undefined> {
  let over = false;
  void until.then(() => {
    over = true;
  });
  while (!over) {
    const d = api.get(path);
    if (d && verdict('Deployment', d).state === 'done') return Date.now();
    await sleep(1);
  }
  return undefined;
}

const watchesOf = (path: string, from: number) => api.requests.slice(from).filter((q) => q.path.startsWith(`${path}?`) && q.path.includes('watch=1'));

async function until(what: string, ok: () => boolean, ms = 10_000, state: () => string = () => ''): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}${state()}`);
    await sleep(5);
  }
}

/** Once the object's resourceVersion has stood still for 300 ms (15 controller passes). */
async function settled(path: string): Promise<void> {
  const version = () => (api.get(path) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  for (let last = version(), since = Date.now(); Date.now() - since < 300; await sleep(10)) {
    if (version() !== last) [last, since] = [version(), Date.now()];
  }
}

describe('waiting by watch', () => {
  it('the step ends right after the rollout completes, not at the next poll', async () => {
    const ns = `watch-${++seq}`;
    // Held back until the plugin waits, so that the completion comes while it waits.
    api.setFault('Deployment', ns, 'web', 'stall');
    const run = deploy('web', ns);
    await until('a watch is open', () => api.openWatches === 1);
    api.setFault('Deployment', ns, 'web', null);
    const ended = run.ended.then((e) => ({ ...e, at: Date.now() }));
    const done = await rolledOutAt(`/apis/apps/v1/namespaces/${ns}/deployments/web`, ended);
    const r = await ended;
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /deployment\.apps\/web successfully rolled out/);
    assert.ok(done, 'the rollout completed');
    // Polling once a second would end up to 1000 ms later; a watch ends in a few (the bench has the figure).
    assert.ok(r.at - done < 500, `the step ended ${r.at - done} ms after the rollout completed`);
    assert.ok(watchesOf(`/apis/apps/v1/namespaces/${ns}/deployments`, 0).length >= 1, 'it watched');
  });

  for (const compacted of [false, true]) {
    it(`a watch whose connection drops resumes${compacted ? ', listing the object again on 410 Gone' : ' from the last version seen'}`, async () => {
      const ns = `watch-${++seq}`;
      const path = `/apis/apps/v1/namespaces/${ns}/deployments`;
      api.setFault('Deployment', ns, 'web', 'stall');
      const from = api.requests.length;
      const run = deploy('web', ns);
      await until('a watch is open', () => api.openWatches === 1);
      if (compacted) {
        // The controllers still write the new Deployment's status for a few passes, and a watch
        // from the newest version is valid whatever was compacted: so the Deployment settles, a
        // write elsewhere moves the store past it, and only then is its history compacted.
        await settled(`${path}/web`);
        const bump = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `after-${ns}` } };
        assert.equal((await call(api, 'POST', '/api/v1/namespaces/no-watch/configmaps', { body: bump })).status, 201);
        api.compact();
      }
      api.dropWatches();
      // The emulator logs a watch when it ends: the dropped one, and the one answered 410.
      await until(
        'the watch is open again',
        () => watchesOf(path, from).length === (compacted ? 2 : 1) && api.openWatches === 1,
        10_000,
        () => `; ${api.openWatches} open; requests since the deploy:\n${api.requests.slice(from).map((q) => `${q.method} ${q.path} ${q.status}`).join('\n')}`,
      );
      api.setFault('Deployment', ns, 'web', null);
      const ended = run.ended.then((e) => ({ ...e, at: Date.now() }));
      const done = await rolledOutAt(`${path}/web`, ended);
      const r = await ended;
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.ok(done && r.at - done < 500, `the resumed watch ended the step ${done && r.at - done} ms after the rollout completed`);
      await until('every watch is closed', () => api.openWatches === 0, 1000);
      const watches = watchesOf(path, from);
      assert.equal(watches.length, compacted ? 3 : 2, watches.map((w) => w.path).join('\n'));
      const first = /resourceVersion=(\d+)/.exec(watches[0]!.path)![1]!;
      const resumedFrom = /resourceVersion=(\d+)/.exec(watches[1]!.path)![1]!;
      assert.ok(Number(resumedFrom) >= Number(first), 'resumed from the last version seen');
      if (compacted) {
        const log = api.requests.slice(from);
        const reread = log.findIndex((q, i) => i > log.indexOf(watches[1]!) && q.method === 'GET' && q.path === `${path}?fieldSelector=metadata.name%3Dweb`);
        assert.ok(reread > 0, 'the object was listed again after the 410');
        assert.ok(log.indexOf(watches[2]!) > reread, 'and watched again from there');
      }
    });
  }

  it('where watching is forbidden (403), the wait reads the workload every second instead', async () => {
    const ws = workspace({ 'd.yaml': deploymentYaml('polled', 2) });
    const from = api.requests.length;
    const r = await startBundle(
      'kubernetes',
      { DRONE_WORKSPACE: ws, PLUGIN_ENV_FILE: `${ws}/no-env-file`, PLUGIN_KUBECONFIG: api.kubeconfig({ user: 'no-watcher' }), PLUGIN_NAMESPACE: 'no-watch', PLUGIN_MANIFESTS: 'd.yaml' },
      { cwd: ws },
    ).ended;
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /deployment\.apps\/polled successfully rolled out/);
    const path = '/apis/apps/v1/namespaces/no-watch/deployments';
    const watches = watchesOf(path, from);
    assert.equal(watches.length, 1, 'no second try at a forbidden watch');
    assert.equal(watches[0]!.status, 403);
    const at = api.requests.slice(from).indexOf(watches[0]!);
    assert.ok(api.requests.slice(from + at).some((q) => q.method === 'GET' && q.path === `${path}/polled`), 'read again after the 403');
    assert.doesNotMatch(r.stdout + r.stderr, /error|forbidden/i);
  });

  it('a cancel closes the watch at once', async () => {
    const ns = `watch-${++seq}`;
    api.setFault('Deployment', ns, 'stuck', 'stall');
    const run = deploy('stuck', ns);
    await until('a watch is open', () => api.openWatches === 1);
    const sent = run.kill('SIGTERM');
    const r = await run.ended;
    assert.equal(r.code, 143, r.stdout + r.stderr);
    assert.match(r.stderr, /cancelled by SIGTERM while waiting for deployment\.apps\/stuck to roll out/);
    assert.ok(Date.now() - sent < 2000, 'ended within 2 s of the signal');
    await until('the watch is closed', () => api.openWatches === 0, 1000);
  });
});
