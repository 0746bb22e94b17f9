// Behaviour beyond the recordings that deploys and the demo rely on: patches, workloads other than Deployments,
// fault switches, deletion and garbage collection, the request log, and kubectl against the emulator.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { type KubeApi, startKubeApi } from '../../kube-api/server.ts';
import { call, until } from './helpers.ts';

type Obj = Record<string, unknown>;

const yamlApply = (api: KubeApi, path: string, body: string, query = 'fieldManager=sortie&force=true') =>
  call(api, 'PATCH', `${path}?${query}`, { body, contentType: 'application/apply-patch+yaml' });

const deploymentYaml = (name: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: demo
${extra}spec:
  replicas: 2
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
        - name: app
          image: nginx:1.27
          env:
            - {name: A, value: "1"}
        - name: sidecar
          image: busybox:1.36
`;

const get = (api: KubeApi, path: string) => api.get(path) as Obj | undefined;
const statusOf = (o: Obj | undefined) => (o?.status ?? {}) as Obj;
const cond = (o: Obj | undefined, type: string) => ((statusOf(o).conditions as Obj[] | undefined) ?? []).find((c) => c.type === type);

test('main.ts: writes a kubeconfig, prints the URL, stops on SIGTERM', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'kube-api-cli-'));
  const child = spawn(process.execPath, [new URL('../../kube-api/main.ts', import.meta.url).pathname, join(dir, 'config')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const m = /https:\/\/127\.0\.0\.1:\d+/.exec(out);
        if (m) resolve(m[0]);
      });
      child.on('exit', (code) => reject(new Error(`exited with ${code}`)));
    });
    const kubeconfig = await readFile(join(dir, 'config'), 'utf8');
    assert.ok(kubeconfig.includes(`server: ${url}`));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
  } finally {
    child.kill();
    await rm(dir, { recursive: true, force: true });
  }
});

describe('emulator behaviour', () => {
  let api: KubeApi;
  before(async () => {
    api = await startKubeApi({ controllerIntervalMs: 10, namespaces: ['demo'] });
  });
  after(async () => {
    await api.close();
  });

  test('strategic merge patch merges containers by name; JSON patch; merge patch on status', async () => {
    assert.equal((await yamlApply(api, '/apis/apps/v1/namespaces/demo/deployments/smp', deploymentYaml('smp'))).status, 201);
    const smp = await call(api, 'PATCH', '/apis/apps/v1/namespaces/demo/deployments/smp', {
      contentType: 'application/strategic-merge-patch+json',
      body: { spec: { template: { spec: { containers: [{ name: 'app', image: 'nginx:1.28', env: [{ name: 'B', value: '2' }] }] } } } },
    });
    assert.equal(smp.status, 200, smp.text);
    const containers = (((((smp.body as Obj).spec as Obj).template as Obj).spec as Obj).containers as Obj[]);
    assert.deepEqual(containers.map((c) => [c.name, c.image]), [['app', 'nginx:1.28'], ['sidecar', 'busybox:1.36']]);
    assert.deepEqual(containers[0]!.env, [{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
    assert.equal(((smp.body as Obj).metadata as Obj).generation, 2);
    const json = await call(api, 'PATCH', '/apis/apps/v1/namespaces/demo/deployments/smp', { contentType: 'application/json-patch+json', body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] });
    assert.equal(((json.body as Obj).spec as Obj).replicas, 3);
    const managers = (((json.body as Obj).metadata as Obj).managedFields as Obj[]).map((m) => `${m.manager}/${m.operation}`);
    assert.ok(managers.includes('sortie/Apply') && managers.includes('unknown/Update'));
    const conflict = await yamlApply(api, '/apis/apps/v1/namespaces/demo/deployments/smp', deploymentYaml('smp'), 'fieldManager=sortie&force=false');
    assert.equal(conflict.status, 409);
    assert.deepEqual(((conflict.body as Obj).details as Obj).causes, [
      { reason: 'FieldManagerConflict', message: 'conflict with "unknown" using apps/v1', field: '.spec.replicas' },
      { reason: 'FieldManagerConflict', message: 'conflict with "unknown" using apps/v1', field: '.spec.template.spec.containers[name="app"].image' },
    ]);
    const unsupported = await call(api, 'PATCH', '/apis/apps/v1/namespaces/demo/deployments/smp', { contentType: 'text/plain', body: 'x' });
    assert.equal(unsupported.status, 415);
  });

  test('StatefulSet and DaemonSet roll out; pods can be listed by selector with container statuses', async () => {
    const sts = `apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\n  namespace: demo\nspec:\n  replicas: 2\n  serviceName: db\n  selector:\n    matchLabels: {app: db}\n  template:\n    metadata:\n      labels: {app: db}\n    spec:\n      containers:\n        - name: db\n          image: postgres:16\n`;
    assert.equal((await yamlApply(api, '/apis/apps/v1/namespaces/demo/statefulsets/db', sts)).status, 201);
    const ds = `apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: agent\n  namespace: demo\nspec:\n  selector:\n    matchLabels: {app: agent}\n  template:\n    metadata:\n      labels: {app: agent}\n    spec:\n      containers:\n        - name: agent\n          image: busybox:1.36\n`;
    assert.equal((await yamlApply(api, '/apis/apps/v1/namespaces/demo/daemonsets/agent', ds)).status, 201);
    const s = await until(async () => {
      const o = get(api, '/apis/apps/v1/namespaces/demo/statefulsets/db');
      const st = statusOf(o);
      return st.readyReplicas === 2 && st.updateRevision === st.currentRevision ? st : undefined;
    }, 'StatefulSet ready');
    assert.equal(s.observedGeneration, 1);
    const d = await until(async () => {
      const st = statusOf(get(api, '/apis/apps/v1/namespaces/demo/daemonsets/agent'));
      return st.numberAvailable === 1 ? st : undefined;
    }, 'DaemonSet ready');
    assert.equal(d.desiredNumberScheduled, 1);
    const pods = ((await call(api, 'GET', '/api/v1/namespaces/demo/pods?labelSelector=app%3Ddb')).body as Obj).items as Obj[];
    assert.deepEqual(pods.map((p) => (p.metadata as Obj).name), ['db-0', 'db-1']);
    const cs = (statusOf(pods[0]).containerStatuses as Obj[])[0];
    assert.ok(cs);
    assert.deepEqual([cs.ready, Object.keys(cs.state as Obj)], [true, ['running']]);
  });

  test('fault switches by annotation: oom-killed pods, progress-deadline', async () => {
    const oom = deploymentYaml('oom', `  annotations:\n    emulator.sortie.dev/fault: oom-killed\n`);
    assert.equal((await yamlApply(api, '/apis/apps/v1/namespaces/demo/deployments/oom', oom)).status, 201);
    const pod = await until(async () => {
      const items = ((await call(api, 'GET', '/api/v1/namespaces/demo/pods?labelSelector=app%3Doom')).body as Obj).items as Obj[];
      return items.find((p) => statusOf(p).containerStatuses);
    }, 'oom pod');
    const last = ((statusOf(pod).containerStatuses as Obj[])[0]!.lastState as Obj).terminated as Obj;
    assert.deepEqual([last.reason, last.exitCode], ['OOMKilled', 137]);
    api.setFault('Deployment', 'demo', 'late', 'progress-deadline');
    assert.equal((await yamlApply(api, '/apis/apps/v1/namespaces/demo/deployments/late', deploymentYaml('late'))).status, 201);
    const late = await until(async () => {
      const o = get(api, '/apis/apps/v1/namespaces/demo/deployments/late');
      return cond(o, 'Progressing')?.reason === 'ProgressDeadlineExceeded' ? o : undefined;
    }, 'ProgressDeadlineExceeded');
    assert.equal(cond(late, 'Progressing')?.status, 'False');
    api.setFault('Deployment', 'demo', 'late', null);
    await until(async () => (cond(get(api, '/apis/apps/v1/namespaces/demo/deployments/late'), 'Progressing')?.reason === 'NewReplicaSetAvailable' ? true : undefined), 'recovery after clearing the fault');
  });

  test('delete: Status body, garbage collection of ReplicaSets and pods, namespace deletion', async () => {
    assert.equal((await yamlApply(api, '/apis/apps/v1/namespaces/demo/deployments/gone', deploymentYaml('gone'))).status, 201);
    await until(async () => {
      const items = ((await call(api, 'GET', '/api/v1/namespaces/demo/pods?labelSelector=app%3Dgone')).body as Obj).items as Obj[];
      return items.length === 2 ? true : undefined;
    }, 'pods');
    const del = await call(api, 'DELETE', '/apis/apps/v1/namespaces/demo/deployments/gone?propagationPolicy=Background');
    assert.deepEqual([(del.body as Obj).kind, (del.body as Obj).status, ((del.body as Obj).details as Obj).group], ['Status', 'Success', 'apps']);
    await until(async () => {
      const items = ((await call(api, 'GET', '/api/v1/namespaces/demo/pods?labelSelector=app%3Dgone')).body as Obj).items as Obj[];
      return items.length === 0 ? true : undefined;
    }, 'dependents collected');
    assert.equal((await yamlApply(api, '/api/v1/namespaces/tmp', 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tmp\n')).status, 201);
    assert.equal((await yamlApply(api, '/api/v1/namespaces/tmp/configmaps/c', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n')).status, 201);
    const nsDel = await call(api, 'DELETE', '/api/v1/namespaces/tmp');
    assert.equal(((nsDel.body as Obj).status as Obj).phase, 'Terminating');
    await until(async () => (get(api, '/api/v1/namespaces/tmp') ? undefined : true), 'namespace removed');
    assert.equal(get(api, '/api/v1/namespaces/tmp/configmaps/c'), undefined);
  });

  test('CRD: discovery lists the custom resource once Established; unknown fields are kept', async () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: gadgets.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {plural: gadgets, singular: gadget, kind: Gadget}\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n          type: object\n          x-kubernetes-preserve-unknown-fields: true\n`;
    assert.equal((await yamlApply(api, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com', crd)).status, 201);
    await until(async () => ((await call(api, 'GET', '/apis/example.com/v1')).status === 200 ? true : undefined), 'group served');
    const agg = await call(api, 'GET', '/apis', { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
    assert.ok(((agg.body as Obj).items as Obj[]).some((g) => (g.metadata as Obj).name === 'example.com'));
    const cr = await yamlApply(api, '/apis/example.com/v1/namespaces/demo/gadgets/g1', 'apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g1\nspec:\n  anything: {goes: [1, 2]}\n');
    assert.equal(cr.status, 201);
    assert.deepEqual((cr.body as Obj).spec, { anything: { goes: [1, 2] } });
  });

  test('kubectl apply --server-side, rollout status and rollout restart work against the emulator', { skip: !existsSync('/usr/bin/kubectl') && !process.env.CI && 'no kubectl (Debian package kubectl); .ci/run installs it' }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kube-api-kubectl-'));
    try {
      const kubeconfig = join(dir, 'config');
      await writeFile(kubeconfig, api.kubeconfig({ namespace: 'demo' }));
      await writeFile(join(dir, 'app.yaml'), `${deploymentYaml('kube')}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kube\n  namespace: demo\ndata:\n  a: "1"\n`);
      const kubectl = (...args: string[]) => promisify(execFile)('/usr/bin/kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 30_000 });
      const first = await kubectl('apply', '--server-side', '-f', join(dir, 'app.yaml'));
      assert.match(first.stdout, /deployment.apps\/kube serverside-applied/);
      await kubectl('rollout', 'status', 'deployment/kube', '--timeout=20s');
      await kubectl('rollout', 'restart', 'deployment/kube');
      const status = await kubectl('rollout', 'status', 'deployment/kube', '--timeout=20s');
      assert.match(status.stdout, /successfully rolled out/);
      const d = get(api, '/apis/apps/v1/namespaces/demo/deployments/kube') as Obj;
      assert.equal((d.metadata as Obj).generation, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

test('a dry-run apply leaves the stored object as it was (a Secret whose stringData is defaulted into data)', async () => {
  const api = await startKubeApi();
  try {
    const secret = (p: string) => `apiVersion: v1\nkind: Secret\nmetadata: {name: s, namespace: default}\nstringData: {p: ${p}}\n`;
    const path = '/api/v1/namespaces/default/secrets/s';
    await call(api, 'PATCH', `${path}?fieldManager=t`, { body: secret('one'), contentType: 'application/apply-patch+yaml' });
    const before = api.get(path) as { data: Record<string, string>; metadata: { resourceVersion: string } };
    const dry = await call(api, 'PATCH', `${path}?fieldManager=t&dryRun=All`, { body: secret('two'), contentType: 'application/apply-patch+yaml' });
    assert.equal(dry.status, 200);
    const after = api.get(path) as typeof before;
    assert.equal(after.data.p, Buffer.from('one').toString('base64'));
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
  } finally {
    await api.close();
  }
});

test('latencyMs holds each request that long and serves requests in flight side by side, as a real server does', async () => {
  const api = await startKubeApi({ latencyMs: 100 });
  try {
    const start = performance.now();
    const replies = await Promise.all(Array.from({ length: 8 }, () => call(api, 'GET', '/api/v1/namespaces/default')));
    const elapsed = performance.now() - start;
    assert.deepEqual(replies.map((r) => r.status), Array(8).fill(200));
    assert.ok(elapsed >= 100, `answered after ${elapsed} ms`);
    // Served one after another they could not take less than 800 ms.
    assert.ok(elapsed < 800, `8 requests in flight took ${elapsed} ms: served one at a time`);
  } finally {
    await api.close();
  }
});
