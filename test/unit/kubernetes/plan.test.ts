import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Manifest } from '../../../plugins/kubernetes/manifests.ts';
import { RESTARTED_AT, type Scope, plan } from '../../../plugins/kubernetes/plan.ts';

const m = (object: Record<string, unknown>, line = 1): Manifest => ({ object: object as Manifest['object'], source: { file: 'k8s/app.yaml', line, text: '' } });
const scopes = new Map<string, Scope | undefined>([
  ['v1/ConfigMap', { name: 'configmaps', namespaced: true }],
  ['v1/Namespace', { name: 'namespaces', namespaced: false }],
  ['apps/v1/Deployment', { name: 'deployments', namespaced: true }],
  ['rbac.authorization.k8s.io/v1/ClusterRole', { name: 'clusterroles', namespaced: false }],
  ['apiextensions.k8s.io/v1/CustomResourceDefinition', { name: 'customresourcedefinitions', namespaced: false }],
  ['example.com/v1/Widget', undefined],
]);
const base = { scopes, namespace: 'demo', namespaceGiven: true, createNamespace: false, allowNamespaceOverride: false, restartAt: undefined };

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: { group: 'example.com', scope: 'Namespaced', names: { kind: 'Widget', plural: 'widgets' }, versions: [{ name: 'v1', served: true }] },
};

describe('plan', () => {
  it('orders Namespaces, CRDs, cluster-scoped, then namespaced objects, keeping the given order within each', () => {
    const p = plan({
      ...base,
      manifests: [
        m({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }),
        m({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } }),
        m({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r', namespace: 'ignored' } }),
        m(crd),
        m({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }),
        m({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } }),
      ],
    });
    assert.deepEqual(
      p.objects.map((o) => o.label),
      ['namespace/demo', 'customresourcedefinition.apiextensions.k8s.io/widgets.example.com', 'clusterrole.rbac.authorization.k8s.io/r', 'widget.example.com/w', 'configmap/b', 'configmap/a'],
    );
    const widget = p.objects.find((o) => o.object.kind === 'Widget')!;
    assert.equal(widget.path, '/apis/example.com/v1/namespaces/demo/widgets/w');
    assert.deepEqual(widget.needs, { namespace: 'demo', crd: 'widgets.example.com' });
    const role = p.objects.find((o) => o.object.kind === 'ClusterRole')!;
    assert.equal(role.path, '/apis/rbac.authorization.k8s.io/v1/clusterroles/r');
    assert.equal(role.object.metadata.namespace, undefined);
  });

  it('fills the namespace in the body and the URL, and rejects another one unless allowed', () => {
    const cm = m({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    assert.equal(plan({ ...base, manifests: [cm] }).objects[0]!.object.metadata.namespace, 'demo');
    const other = m({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'prod' } }, 7);
    assert.throws(() => plan({ ...base, manifests: [other] }), /k8s\/app.yaml:7: configmap\/a names namespace "prod", but settings.namespace is "demo"/);
    assert.equal(plan({ ...base, manifests: [other], allowNamespaceOverride: true }).objects[0]!.path, '/api/v1/namespaces/prod/configmaps/a');
    assert.equal(plan({ ...base, manifests: [other], namespaceGiven: false }).objects[0]!.namespace, 'prod');
  });

  it('reports every unknown kind and duplicate at once', () => {
    assert.throws(
      () =>
        plan({
          ...base,
          manifests: [
            m({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }, 3),
            m({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }, 5),
            m({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }, 9),
          ],
        }),
      (err: Error) =>
        /2 manifests are wrong/.test(err.message) &&
        /k8s\/app.yaml:3: unknown kind Widget \(apiVersion example.com\/v1\)/.test(err.message) &&
        /k8s\/app.yaml:9: configmap\/a in namespace demo is also defined at k8s\/app.yaml:5/.test(err.message),
    );
  });

  it('adds the namespace for create_namespace, stamps restartedAt on workloads, and lists what to wait for', () => {
    const p = plan({
      ...base,
      createNamespace: true,
      restartAt: '2026-11-22T00:00:00.000Z',
      manifests: [
        m({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { template: { metadata: { labels: { app: 'web' } } } } }),
        m({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } }),
      ],
    });
    assert.equal(p.objects[0]!.label, 'namespace/demo');
    const web = p.objects.find((o) => o.object.kind === 'Deployment')!;
    assert.deepEqual((web.object.spec as { template: { metadata: unknown } }).template.metadata, { labels: { app: 'web' }, annotations: { [RESTARTED_AT]: '2026-11-22T00:00:00.000Z' } });
    assert.deepEqual(p.waits.map((w) => w.label), ['deployment.apps/web']);
  });
});
