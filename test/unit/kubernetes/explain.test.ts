import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Connection } from '../../../plugins/kubernetes/auth.ts';
import { explainFailure } from '../../../plugins/kubernetes/explain.ts';
import { KubeError, type Status } from '../../../plugins/kubernetes/kube.ts';
import { fixture } from '../kube-api/helpers.ts';

// The real kube-apiserver's answers, as recorded.
const exchange = (file: string, i: number) => fixture(file)[i]!;
function recorded(file: string, i: number): KubeError {
  const { request, response } = exchange(file, i);
  const body = response.body;
  const status: Status =
    typeof body === 'object' && body !== null
      ? (body as Status)
      : { code: response.status, reason: 'NotFound', message: String(body).trim() };
  return new KubeError(request.method, request.path, status);
}

const conn = { server: 'https://kube:6443', identity: 'kubeconfig context "ci" (user "deployer")', mode: 'kubeconfig' } as Connection;
const doc = (text: string) => ({ file: 'k8s/app.yaml', line: 3, text });
const object = (label: string, namespace: string, text = 'apiVersion: v1\nkind: X\n') => ({ label, namespace, source: doc(text) });

describe('explain', () => {
  it('turns a 403 into who may not do what where, and the rule to add', () => {
    const f = explainFailure(recorded('09-errors.json', 15), { action: 'apply', object: object('deployment.apps/web', 'demo') }, conn);
    assert.equal(f.message, 'k8s/app.yaml:3: apply deployment.apps/web in namespace demo: system:serviceaccount:demo:deployer may not patch deployments.apps in namespace demo (403 Forbidden; authenticated with kubeconfig context "ci" (user "deployer"))');
    assert.equal(f.hint, 'Add the rule {apiGroups: ["apps"], resources: ["deployments"], verbs: ["patch", "create", "get"]} to a Role in namespace demo bound to system:serviceaccount:demo:deployer; see the plugin README for a complete Role.');
    const cluster = explainFailure(recorded('09-errors.json', 16), { action: 'list', what: 'namespaces' }, conn);
    assert.match(cluster.message, /may not list namespaces at the cluster scope/);
    assert.match(cluster.hint!, /to a ClusterRole bound to/);
  });

  it('explains a 401 by the auth mode', () => {
    const f = explainFailure(recorded('09-errors.json', 8), { action: 'read', what: 'configmaps' }, conn);
    assert.match(f.message, /the API server rejected the credentials of kubeconfig context "ci" \(user "deployer"\) \(401 Unauthorized\)/);
  });

  it('names the field manager of a conflict, at the field line', () => {
    const text = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared-settings\ndata:\n  timeout: "60s"\n';
    const f = explainFailure(recorded('06-ssa-conflict.json', 1), { action: 'apply', object: object('configmap/shared-settings', 'demo', text) }, conn);
    assert.equal(f.message, 'k8s/app.yaml:8: apply configmap/shared-settings in namespace demo: conflict: .data.timeout is owned by field manager "other"');
    const update = explainFailure(recorded('06-ssa-conflict.json', 5), { action: 'apply', object: object('configmap/shared-settings', 'demo', text) }, conn);
    assert.match(update.message, /\.data\.mode is owned by field manager "hand-edit" using v1/);
  });

  it('places a strict-validation error at its field', () => {
    const text = 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          imagePullPolcy: Always\n';
    const f = explainFailure(recorded('08-strict-validation.json', 2), { action: 'dry-run apply', object: object('deployment.apps/x', 'demo', text) }, conn);
    assert.equal(f.message, 'k8s/app.yaml:12: dry-run apply deployment.apps/x in namespace demo: .spec.template.spec.containers[name="app"].imagePullPolcy: field not declared in schema (500)');
    assert.match(f.hint!, /misspelt or misplaced field/);
  });

  it('lists the causes of a 422 and says what a missing namespace or unserved group means', () => {
    const invalid = explainFailure(recorded('09-errors.json', 3), { action: 'apply', object: object('deployment.apps/no-selector', 'demo') }, conn);
    assert.match(invalid.message, /spec.selector: Required value; spec.template.metadata.labels: Invalid value: .* \(422 Invalid\)$/);
    assert.match(explainFailure(recorded('16-ordering-and-namespaces.json', 0), { action: 'apply', object: object('configmap/early-config', 'not-yet') }, conn).message, /namespace "not-yet" does not exist/);
    assert.match(explainFailure(recorded('09-errors.json', 1), { action: 'apply', object: object('widget.example.com/x', 'demo') }, conn).message, /does not serve this API group \(unknown kind\)/);
    assert.match(explainFailure(recorded('09-errors.json', 6), { action: 'apply', object: object('configmap/y', 'demo') }, conn).hint!, /quote the value/);
  });

  it('never repeats a Secret value the server quotes', () => {
    const err = new KubeError('PATCH', '/api/v1/namespaces/demo/secrets/db', {
      code: 422,
      reason: 'Invalid',
      message: 'Secret "db" is invalid',
      details: { causes: [{ field: 'data[password]', message: 'Invalid value: "hunter2hunter2": a valid config key must consist of alphanumeric characters' }] },
    });
    const f = explainFailure(err, { action: 'apply', object: object('secret/db', 'demo') }, conn);
    assert.doesNotMatch(f.message, /hunter2/);
    assert.match(f.message, /Invalid value: \*{8}/);
  });
});
