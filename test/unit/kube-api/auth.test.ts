// Authentication and authorization as clients meet them: tokens, client certificates, kubeconfigs and
// in-cluster ServiceAccount files read by @kubernetes/client-node, and the RBAC deny messages.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, type V1ConfigMap } from '@kubernetes/client-node';
import { type KubeApi, startKubeApi } from '../../kube-api/server.ts';
import { call, fixture } from './helpers.ts';

type Obj = Record<string, unknown>;

describe('authentication and authorization', () => {
  let api: KubeApi;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kube-api-auth-'));
    api = await startKubeApi({
      namespaces: ['demo'],
      identities: [
        { user: 'system:serviceaccount:demo:deployer', rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['configmaps'] }] },
        { user: 'ci', groups: ['ci-bots'], rules: [{ verbs: ['*'], apiGroups: ['apps'], resources: ['deployments'], namespaces: ['demo'] }] },
        { user: 'root-ish', token: 'fixed-token' },
      ],
    });
  });
  after(async () => {
    await api.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('a bad token gets the recorded 401 Status; no credentials is system:anonymous (403)', async () => {
    const ex = fixture('09-errors.json');
    const bad = await call(api, 'GET', '/api/v1/namespaces/demo/configmaps', { token: 'nope' });
    assert.deepEqual([bad.status, bad.body], [401, ex[8]!.response.body]);
    const anon = await call(api, 'GET', '/api/v1/namespaces/demo/configmaps', { token: null });
    assert.deepEqual([anon.status, anon.body], [403, ex[9]!.response.body]);
    const version = await call(api, 'GET', '/version', { token: null });
    assert.equal(version.status, 200, 'version is public');
  });

  test('identity rules: allowed inside, the real Forbidden Status outside', async () => {
    const token = api.tokenFor('ci');
    const apply = (name: string, ns: string) =>
      call(api, 'PATCH', `/apis/apps/v1/namespaces/${ns}/deployments/${name}?fieldManager=ci`, {
        token,
        contentType: 'application/apply-patch+yaml',
        body: `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  selector:\n    matchLabels: {app: x}\n  template:\n    metadata:\n      labels: {app: x}\n    spec:\n      containers:\n        - name: x\n          image: x:1\n`,
      });
    assert.equal((await apply('ok', 'demo')).status, 201);
    const denied = await apply('nope', 'default');
    assert.equal(denied.status, 403);
    assert.deepEqual(denied.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'deployments.apps "nope" is forbidden: User "ci" cannot patch resource "deployments" in API group "apps" in the namespace "default"',
      reason: 'Forbidden',
      details: { name: 'nope', group: 'apps', kind: 'deployments' },
      code: 403,
    });
    assert.equal((await call(api, 'GET', '/api/v1/namespaces/demo/secrets', { token })).status, 403);
    assert.equal((await call(api, 'GET', '/api/v1/namespaces/demo/secrets', { token: 'fixed-token' })).status, 200, 'no rules: unrestricted');
    const review = await call(api, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      token,
      body: { kind: 'SelfSubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec: { resourceAttributes: { namespace: 'default', verb: 'patch', group: 'apps', resource: 'deployments' } } },
    });
    assert.deepEqual((review.body as Obj).status, { allowed: false });
    assert.ok(api.requests.some((r) => r.user === 'ci' && r.status === 403 && r.method === 'PATCH'));
  });

  test('client certificates: CN is the user, O the groups', async () => {
    const cert = api.clientCert('cert-user', ['system:masters', 'team-a']);
    const who = await call(api, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { cert, body: { kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1' } });
    assert.equal(who.status, 201);
    assert.deepEqual(((who.body as Obj).status as Obj).userInfo, { username: 'cert-user', groups: ['system:masters', 'team-a', 'system:authenticated'] });
    const limited = api.clientCert('ci', ['ci-bots']);
    assert.equal((await call(api, 'GET', '/api/v1/namespaces/demo/secrets', { cert: limited })).status, 403, 'configured rules apply to certificate users too');
    const other = await startKubeApi();
    try {
      const foreign = other.clientCert('admin', ['system:masters']);
      const rejected = await call(api, 'GET', '/api/v1/namespaces', { cert: foreign });
      assert.deepEqual([rejected.status, (rejected.body as Obj).reason], [401, 'Unauthorized'], 'a certificate from another CA');
    } finally {
      await other.close();
    }
  });

  test('@kubernetes/client-node with the kubeconfig (token and client certificate) and in-cluster files', async () => {
    for (const useClientCert of [false, true]) {
      const kc = new KubeConfig();
      kc.loadFromString(api.kubeconfig({ namespace: 'demo', useClientCert }));
      const core = kc.makeApiClient(CoreV1Api);
      const list = await core.listNamespace();
      assert.ok(list.items.some((n) => n.metadata?.name === 'demo'));
      const objects = KubernetesObjectApi.makeApiClient(kc);
      const configMap: V1ConfigMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `from-client-${useClientCert}`, namespace: 'demo' }, data: { a: '1' } };
      const applied = await objects.patch(
        configMap,
        undefined,
        undefined,
        'sortie',
        true,
        PatchStrategy.ServerSideApply,
      );
      assert.equal(applied.metadata?.managedFields?.[0]?.manager, 'sortie');
      await assert.rejects(core.readNamespacedConfigMap({ name: 'missing', namespace: 'demo' }), (e: { code?: number; body?: string }) => e.code === 404 && JSON.parse(String(e.body)).reason === 'NotFound');
    }
    const saDir = join(dir, 'var/run/secrets/kubernetes.io/serviceaccount');
    await api.writeServiceAccountDir(saDir, 'demo', 'deployer');
    const url = new URL(api.url);
    const saved = { host: process.env.KUBERNETES_SERVICE_HOST, port: process.env.KUBERNETES_SERVICE_PORT };
    process.env.KUBERNETES_SERVICE_HOST = url.hostname;
    process.env.KUBERNETES_SERVICE_PORT = url.port;
    try {
      const kc = new KubeConfig();
      kc.loadFromCluster(dir);
      assert.equal(kc.getContextObject(kc.getCurrentContext())?.namespace, 'demo');
      const core = kc.makeApiClient(CoreV1Api);
      assert.ok((await core.listNamespacedConfigMap({ namespace: 'demo' })).items.length > 0);
      await assert.rejects(core.listNamespacedSecret({ namespace: 'demo' }), (e: { code?: number; body?: string }) => {
        const body = JSON.parse(String(e.body)) as Obj;
        return e.code === 403 && body.message === 'secrets is forbidden: User "system:serviceaccount:demo:deployer" cannot list resource "secrets" in API group "" in the namespace "demo"';
      });
    } finally {
      process.env.KUBERNETES_SERVICE_HOST = saved.host;
      process.env.KUBERNETES_SERVICE_PORT = saved.port;
      if (saved.host === undefined) delete process.env.KUBERNETES_SERVICE_HOST;
      if (saved.port === undefined) delete process.env.KUBERNETES_SERVICE_PORT;
    }
  });
});
