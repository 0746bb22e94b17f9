import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type KubeApi, startKubeApi } from '../kube-api/server.ts';
import { runBundle } from '../support/run-bundle.ts';
import { workspace } from '../support/workspace.ts';

let api: KubeApi;
let seq = 0;

before(async () => {
  api = await startKubeApi({ controllerIntervalMs: 20 });
});
after(() => api.close());

type Stored = { metadata: { name: string; labels?: Record<string, string> }; spec?: Record<string, unknown>; data?: Record<string, string> };
const live = (path: string) => api.get(path) as Stored | undefined;

async function deploy(ws: string, env: Record<string, string>) {
  const r = await runBundle('kubernetes', { DRONE_WORKSPACE: ws, PLUGIN_ENV_FILE: join(ws, 'no-env-file'), PLUGIN_KUBECONFIG: api.kubeconfig(), ...env }, { cwd: ws, timeoutMs: 60_000 });
  return { ...r, out: r.stdout + r.stderr };
}

/** One base, an overlay per environment: what teams keep in `deploy/`. */
function repo(): string {
  return workspace({
    'deploy/base/kustomization.yaml': 'resources: [app.yaml]\nimages:\n  - name: web\n    newTag: "${IMAGE_TAG}"\n',
    'deploy/base/app.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  LOG_LEVEL: info
---
apiVersion: v1
kind: Secret
metadata:
  name: web-secret
stringData:
  password: kustomized-s3cret-value
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: web
          envFrom:
            - configMapRef: {name: web-config}
            - secretRef: {name: web-secret}
`,
    'deploy/overlays/staging/kustomization.yaml': `namespace: \${NS}
namePrefix: staging-
commonLabels: {env: staging}
resources: [../../base, namespace.yaml]
`,
    'deploy/overlays/staging/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: set-by-kustomize\n',
    'deploy/overlays/production/kustomization.yaml': `namespace: \${NS}
nameSuffix: -prod
commonLabels: {env: production}
resources: [../../base, namespace.yaml]
replicas: [{name: web, count: 3}]
`,
    'deploy/overlays/production/namespace.yaml': 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: set-by-kustomize\n',
  });
}

describe('kustomize: a base with two overlays, through the bundled plugin', () => {
  it('deploys each overlay to its namespace, rendering ${VAR} in every file before the build', async () => {
    const ws = repo();
    const staging = `kz-staging-${++seq}-${process.pid}`;
    const production = `kz-prod-${++seq}-${process.pid}`;

    const s = await deploy(ws, { PLUGIN_KUSTOMIZE: 'deploy/overlays/staging', PLUGIN_VARS: JSON.stringify({ NS: staging, IMAGE_TAG: '1.4.2' }) });
    assert.equal(s.code, 0, s.out);
    assert.match(s.stdout, /^kustomize: built deploy\/overlays\/staging into 4 objects$/m);
    assert.match(s.stderr, /^warning: deploy\/overlays\/staging\/kustomization\.yaml: commonLabels is deprecated in kustomize v5: use `labels`/m);
    assert.match(s.stdout, new RegExp(`^namespace/${staging} created$`, 'm'));
    assert.match(s.stdout, /^deployment.apps\/staging-web created$/m);
    assert.match(s.stdout, /deployment.apps\/staging-web successfully rolled out/);
    const web = live(`/apis/apps/v1/namespaces/${staging}/deployments/staging-web`) as Stored & { spec: { template: { spec: { containers: { image: string; envFrom: unknown[] }[] } } } };
    assert.equal(web.spec.template.spec.containers[0]!.image, 'web:1.4.2');
    assert.deepEqual(web.spec.template.spec.containers[0]!.envFrom, [{ configMapRef: { name: 'staging-web-config' } }, { secretRef: { name: 'staging-web-secret' } }]);
    assert.equal(web.metadata.labels?.env, 'staging');
    assert.doesNotMatch(s.out, /kustomized-s3cret-value/);

    // The overlay as a `manifests` entry, with dry run, diff and prune applying to the built objects.
    const p = await deploy(ws, { PLUGIN_MANIFESTS: 'deploy/overlays/production', PLUGIN_VARS: JSON.stringify({ NS: production, IMAGE_TAG: '1.4.2' }) });
    assert.equal(p.code, 0, p.out);
    assert.match(p.stdout, /^deployment.apps\/web-prod created$/m);
    assert.equal(live(`/apis/apps/v1/namespaces/${production}/deployments/web-prod`)?.spec?.replicas, 3);
    assert.equal(live(`/api/v1/namespaces/${production}/configmaps/web-config-prod`)?.metadata.labels?.env, 'production');

    const again = await deploy(ws, { PLUGIN_KUSTOMIZE: 'deploy/overlays/staging', PLUGIN_VARS: JSON.stringify({ NS: staging, IMAGE_TAG: '1.5.0' }), PLUGIN_DRY_RUN: 'true', PLUGIN_DIFF: 'true' });
    assert.equal(again.code, 0, again.out);
    assert.match(again.stdout, /web:1\.5\.0/);
    assert.match(again.stdout, /dry run of \d+ objects: nothing was changed/);
    assert.doesNotMatch(again.out, /kustomized-s3cret-value/);
    assert.deepEqual(live(`/apis/apps/v1/namespaces/${staging}/deployments/staging-web`)?.spec, web.spec, 'a dry run changes nothing');
  });

  it('prunes what an overlay no longer builds (objects renamed), by the label the overlay sets', async () => {
    const ws = repo();
    const ns = `kz-prune-${++seq}-${process.pid}`;
    const env = { PLUGIN_KUSTOMIZE: 'deploy/overlays/staging', PLUGIN_VARS: JSON.stringify({ NS: ns, IMAGE_TAG: '1' }), PLUGIN_PRUNE: 'true', PLUGIN_PRUNE_LABEL: 'env=staging', PLUGIN_WAIT: 'false' };
    const first = await deploy(ws, env);
    assert.equal(first.code, 0, first.out);
    assert.ok(live(`/api/v1/namespaces/${ns}/configmaps/staging-web-config`));
    const overlay = join(ws, 'deploy/overlays/staging/kustomization.yaml');
    writeFileSync(overlay, readFileSync(overlay, 'utf8').replace('namePrefix: staging-', 'namePrefix: stg-'));
    const second = await deploy(ws, env);
    assert.equal(second.code, 0, second.out);
    assert.match(second.stdout, new RegExp(`^configmap/staging-web-config \\(namespace ${ns}\\) pruned$`, 'm'));
    assert.match(second.stdout, new RegExp(`^deployment.apps/staging-web \\(namespace ${ns}\\) pruned$`, 'm'));
    assert.equal(live(`/api/v1/namespaces/${ns}/configmaps/staging-web-config`), undefined);
    assert.ok(live(`/api/v1/namespaces/${ns}/configmaps/stg-web-config`));
  });

  it('refuses a file outside the kustomization unless load_restrictor is none, naming the kustomization file', async () => {
    const ws = workspace({
      'shared/extra.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared-extra\ndata: {a: "1"}\n',
      'app/kustomization.yaml': 'namespace: default\nresources:\n  - ../shared/extra.yaml\n',
    });
    const refused = await deploy(ws, { PLUGIN_KUSTOMIZE: 'app' });
    assert.equal(refused.code, 1, refused.out);
    assert.match(refused.stderr, /app\/kustomization\.yaml:3: resources\[0\]: \.\.\/shared\/extra\.yaml is outside the kustomization's directory app/);
    assert.equal(live('/api/v1/namespaces/default/configmaps/shared-extra'), undefined);

    const allowed = await deploy(ws, { PLUGIN_KUSTOMIZE: 'app', PLUGIN_LOAD_RESTRICTOR: 'none' });
    assert.equal(allowed.code, 0, allowed.out);
    assert.match(allowed.stdout, /^configmap\/shared-extra created$/m);
  });

  it('stops at a field it does not support, naming the field and the file:line, before any request', async () => {
    const ws = workspace({ 'k/kustomization.yaml': 'resources: []\nhelmCharts:\n  - name: redis\n' });
    const r = await deploy(ws, { PLUGIN_KUSTOMIZE: 'k' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /k\/kustomization\.yaml:2: helmCharts is not supported: Helm needs the helm binary/);

    const above = await deploy(repo(), { PLUGIN_MANIFESTS: 'deploy/' });
    assert.equal(above.code, 1, above.out);
    assert.match(above.stderr, /settings\.manifests: deploy\/base\/kustomization\.yaml is a kustomization, found in a directory above it/);

    const missing = await deploy(ws, { PLUGIN_KUSTOMIZE: 'nope' });
    assert.equal(missing.code, 1, missing.out);
    assert.match(missing.stderr, /settings\.kustomize: nope does not exist/);
  });
});
