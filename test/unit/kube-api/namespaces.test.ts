// Namespace deletion as a kube-apiserver does it: what preview teardown and cleanup rely on.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type KubeApi, startKubeApi } from '../../kube-api/server.ts';
import { call, until } from './helpers.ts';

let api: KubeApi;
before(async () => {
  // One controller pass a second: time to see a namespace Terminating before it is emptied.
  api = await startKubeApi({ controllerIntervalMs: 1000 });
});
after(() => api.close());

const apply = (path: string, body: unknown) => call(api, 'PATCH', `${path}?fieldManager=sortie&force=true`, { body, contentType: 'application/apply-patch+yaml' });
const namespace = (name: string, labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
const configMap = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } });

describe('namespaces', () => {
  test('are listed by label selector', async () => {
    await apply('/api/v1/namespaces/ns-a', namespace('ns-a', { 'sortie.dev/preview': 'true', 'sortie.dev/repo': 'o.a' }));
    await apply('/api/v1/namespaces/ns-b', namespace('ns-b', { 'sortie.dev/preview': 'true', 'sortie.dev/repo': 'o.b' }));
    const r = await call(api, 'GET', `/api/v1/namespaces?labelSelector=${encodeURIComponent('sortie.dev/preview=true,sortie.dev/repo=o.a')}`);
    assert.equal(r.status, 200);
    assert.deepEqual(
      (r.body as { items: Array<{ metadata: { name: string } }> }).items.map((i) => i.metadata.name),
      ['ns-a'],
    );
  });

  test('a delete makes it Terminating, refuses new content and a second delete, then it goes with everything in it', async () => {
    await apply('/api/v1/namespaces/doomed', namespace('doomed', {}));
    assert.equal((await apply('/api/v1/namespaces/doomed/configmaps/old', configMap('old'))).status, 201);

    const dry = await call(api, 'DELETE', '/api/v1/namespaces/doomed?dryRun=All');
    assert.equal(dry.status, 200);
    assert.equal((dry.body as { status: { phase: string } }).status.phase, 'Terminating', 'a dry run answers what the delete would do');
    assert.equal((api.get('/api/v1/namespaces/doomed') as { status: { phase: string } }).status.phase, 'Active', 'and does not do it');

    const del = await call(api, 'DELETE', '/api/v1/namespaces/doomed');
    assert.equal(del.status, 200);
    const body = del.body as { kind: string; metadata: { deletionTimestamp?: string }; status: { phase: string } };
    assert.equal(body.kind, 'Namespace');
    assert.ok(body.metadata.deletionTimestamp);
    assert.equal(body.status.phase, 'Terminating');

    const again = await call(api, 'DELETE', '/api/v1/namespaces/doomed');
    assert.equal(again.status, 409);
    assert.deepEqual(again.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'Operation cannot be fulfilled on namespaces "doomed": The system is ensuring all content is removed from this namespace.  Upon completion, this namespace will automatically be purged by the system.',
      reason: 'Conflict',
      details: { name: 'doomed', kind: 'namespaces' },
      code: 409,
    });

    const created = await apply('/api/v1/namespaces/doomed/configmaps/new', configMap('new'));
    assert.equal(created.status, 403);
    assert.deepEqual(created.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'configmaps "new" is forbidden: unable to create new content in namespace doomed because it is being terminated',
      reason: 'Forbidden',
      details: { name: 'new', kind: 'configmaps', causes: [{ reason: 'NamespaceTerminating', message: 'namespace doomed is being terminated', field: 'metadata.namespace' }] },
      code: 403,
    });
    // What exists may still be updated while the namespace empties.
    assert.equal((await apply('/api/v1/namespaces/doomed/configmaps/old', { ...configMap('old'), data: { a: '2' } })).status, 200);

    await until(async () => ((await call(api, 'GET', '/api/v1/namespaces/doomed')).status === 404 ? true : undefined), 'the namespace to go');
    assert.equal(api.get('/api/v1/namespaces/doomed/configmaps/old'), undefined);
  });
});
