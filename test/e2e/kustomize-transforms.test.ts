import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dump } from 'js-yaml';
import { type KubeApi, startKubeApi } from '../kube-api/server.ts';
import { runBundle } from '../support/run-bundle.ts';
import { assertNoSecret } from '../support/secrets.ts';
import { workspace } from '../support/workspace.ts';

let api: KubeApi;
let seq = 0;

before(async () => {
  api = await startKubeApi({ controllerIntervalMs: 20 });
});
after(() => api.close());

async function deploy(ws: string, env: Record<string, string>) {
  const r = await runBundle('kubernetes', { DRONE_WORKSPACE: ws, PLUGIN_ENV_FILE: join(ws, 'no-env-file'), PLUGIN_KUBECONFIG: api.kubeconfig(), ...env }, { cwd: ws, timeoutMs: 60_000 });
  return { ...r, out: r.stdout + r.stderr };
}

const DB_PASSWORD = 'Gx7Qm2Vw9Lk4Rp8Zt3Nh';
// Longer than 70 characters in base64: kustomize writes it in lines, and each must stay hidden.
const TLS_KEY = `-----BEGIN PRIVATE KEY-----\nMIIEv${'Qk9Xj3Wm7Rt2'.repeat(8)}\n-----END PRIVATE KEY-----\n`;

type Container = { env?: { name: string; value?: string }[]; envFrom: ({ configMapRef?: { name: string } } & { secretRef?: { name: string } })[]; image: string };
type Deployment = { metadata: { annotations?: Record<string, string> }; spec: { replicas: number; template: { spec: { containers: Container[]; volumes: { secret?: { secretName: string } }[] } } } };

/** A base with generators, and an overlay patching and replacing: what a kustomize user brings. */
function repo(): string {
  return workspace({
    'deploy/base/kustomization.yaml': `resources: [deployment.yaml]
configMapGenerator:
  - name: web-config
    envs: [web.env]
secretGenerator:
  - name: web-db
    literals: [DB_PASSWORD=${DB_PASSWORD}]
  - name: web-tls
    type: kubernetes.io/tls
    files: [tls.key]
`,
    'deploy/base/web.env': 'LOG_LEVEL=info\nDB_HOST=db.internal:5432\n',
    'deploy/base/tls.key': TLS_KEY,
    // Every name it refers to is a generator's: the build adds each one's hash.
    'deploy/base/deployment.yaml': dump({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [{ name: 'web', image: 'registry.example.com/web:1.0', envFrom: [{ configMapRef: { name: 'web-config' } }, { secretRef: { name: 'web-db' } }] }],
            volumes: [{ name: 'tls', secret: { secretName: 'web-tls' } }],
          },
        },
      },
    }),
    'deploy/overlays/staging/kustomization.yaml': `namespace: \${NS}
namePrefix: staging-
resources: [../../base]
configMapGenerator:
  - name: web-config
    behavior: merge
    literals: [LOG_LEVEL=debug]
patches:
  - patch: |-
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web}
      spec:
        template:
          spec:
            containers:
              - name: web
                env:
                  - {name: DB_PORT, value: "0"}
  - target: {kind: Deployment, name: web}
    patch: |-
      - {op: replace, path: /spec/replicas, value: 2}
replacements:
  - source: {kind: ConfigMap, name: web-config, fieldPath: data.DB_HOST, options: {delimiter: ":", index: 1}}
    targets:
      - select: {kind: Deployment, name: web}
        fieldPaths: ["spec.template.spec.containers.[name=web].env.[name=DB_PORT].value"]
`,
  });
}

describe('kustomize generators, patches and replacements, through the bundled plugin', () => {
  it('deploys the generated objects under their hashed names, referred to by the patched Deployment, and never prints a generated Secret value', async () => {
    const ws = repo();
    const ns = `kzt-${++seq}-${process.pid}`;
    const r = await deploy(ws, { PLUGIN_KUSTOMIZE: 'deploy/overlays/staging', PLUGIN_VARS: JSON.stringify({ NS: ns }), PLUGIN_NAMESPACE: ns, PLUGIN_CREATE_NAMESPACE: 'true', PLUGIN_DIFF: 'true', PLUGIN_DEBUG: 'true' });
    assert.equal(r.code, 0, r.out);
    const web = api.get(`/apis/apps/v1/namespaces/${ns}/deployments/staging-web`) as Deployment;
    assert.equal(web.spec.replicas, 2);
    const [container] = web.spec.template.spec.containers;
    assert.deepEqual(container?.env, [{ name: 'DB_PORT', value: '5432' }]);
    const config = container?.envFrom[0]?.configMapRef?.name ?? '';
    const db = container?.envFrom[1]?.secretRef?.name ?? '';
    const tls = web.spec.template.spec.volumes[0]?.secret?.secretName ?? '';
    for (const name of [config, db, tls]) assert.match(name, /^staging-web-(config|db|tls)-[a-z0-9]{10}$/);
    assert.deepEqual((api.get(`/api/v1/namespaces/${ns}/configmaps/${config}`) as { data: unknown }).data, { LOG_LEVEL: 'debug', DB_HOST: 'db.internal:5432' });
    assert.ok(api.get(`/api/v1/namespaces/${ns}/secrets/${db}`));
    assert.ok(api.get(`/api/v1/namespaces/${ns}/secrets/${tls}`));
    assert.match(r.stdout, new RegExp(`^secret/${db} created$`, 'm'));
    for (const secret of [DB_PASSWORD, Buffer.from(DB_PASSWORD).toString('base64'), ...TLS_KEY.split('\n').filter((l) => l.length > 20)]) assertNoSecret(r.out, secret);
  });

  it('stops before any request at a patch that names no object, naming the kustomization file and line', async () => {
    const ws = workspace({
      'k/kustomization.yaml': 'resources: [cm.yaml]\npatches:\n  - patch: |-\n      apiVersion: v1\n      kind: ConfigMap\n      metadata: {name: nothere}\n',
      'k/cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: kzt-untouched\n',
    });
    const r = await deploy(ws, { PLUGIN_KUSTOMIZE: 'k' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /k\/kustomization\.yaml:2: patches\[0\]: no object matches the strategic merge patch of ConfigMap\.v1\/nothere/);
    assert.equal(api.get('/api/v1/namespaces/default/configmaps/kzt-untouched'), undefined);
  });
});
