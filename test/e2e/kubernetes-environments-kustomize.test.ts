import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type KubeApi, startKubeApi } from '../kube-api/server.ts';
import { deployStep, liveObject } from '../support/kube-deploy.ts';
import { runBundle } from '../support/run-bundle.ts';
import { woodpecker315Env } from '../support/woodpecker-env.ts';
import { workspace } from '../support/workspace.ts';

let api: KubeApi;

before(async () => {
  api = await startKubeApi({ controllerIntervalMs: 20, namespaces: ['shop-staging', 'shop-prod'] });
});
after(() => api.close());

const live = (path: string) => liveObject(api, path);

/**
 * One base (a generated ConfigMap with the hash suffix, an image whose tag is `${IMAGE_TAG}`), and
 * an overlay per environment, each with a namePrefix; plain manifests under `k8s/` are the step's
 * own, which an environment naming its overlay does not apply.
 */
/** An environment's overlay: its name prefix, greeting and `extra` fields over the base. */
const overlay = (prefix: string, extra: string) => `resources: [../../base]
namePrefix: ${prefix}-
${extra}configMapGenerator:
  - name: web-config
    behavior: merge
    literals: [GREETING=hello ${prefix === 'prod' ? 'production' : prefix}]
`;

const shop = () =>
  workspace({
    'deploy/base/kustomization.yaml': `resources: [web.yaml]
configMapGenerator:
  - name: web-config
    literals: [GREETING=hello, PORT=8080]
images:
  - name: web
    newName: registry.example.com/shop/web
    newTag: "\${IMAGE_TAG}"
`,
    'deploy/base/web.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    sortie.dev/replicas-of: 1.50
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: web
          envFrom: [{configMapRef: {name: web-config}}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  rules:
    - host: \${HOST}
      http:
        paths:
          - path: /
            pathType: Prefix
            backend: {service: {name: web, port: {number: 80}}}
`,
    'deploy/overlays/staging/kustomization.yaml': overlay('staging', 'labels:\n  - pairs: {env: staging}\n'),
    'deploy/overlays/production/kustomization.yaml': overlay('prod', 'replicas:\n  - name: web\n    count: 3\n'),
    'deploy/overlays/preview/kustomization.yaml': `resources: [../../base]
namePrefix: pr-
commonAnnotations:
  sortie.dev/preview-of: "\${DRONE_COMMIT_BRANCH}"
patches:
  - target: {kind: Ingress, name: web}
    patch: |
      - op: replace
        path: /spec/rules/0/host
        value: \${PREVIEW_NAMESPACE}.preview.example.com
`,
    'k8s/plain.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\ndata:\n  from: step\n',
  });

const step = {
  PLUGIN_MANIFESTS: 'k8s/',
  PLUGIN_VARS: JSON.stringify({ IMAGE_TAG: 'abc1234' }),
  PLUGIN_ENVIRONMENT: 'staging',
  PLUGIN_ENVIRONMENTS: JSON.stringify({
    staging: { namespace: 'shop-staging', kustomize: 'deploy/overlays/staging', vars: { HOST: 'staging.shop.example.com' } },
    production: { namespace: 'shop-prod', kustomize: 'deploy/overlays/production', vars: { HOST: 'shop.example.com' } },
    qa: { namespace: 'shop-staging' },
  }),
};

const deploy = (ws: string, env: Record<string, string>) => deployStep(api, ws, env);

// The generated ConfigMaps' names, as `kubectl kustomize` gives them for these overlays.
const STAGING_CONFIG = 'staging-web-config-8t2tg4bcc6';
const PROD_CONFIG = 'prod-web-config-fb6tmmck5g';

describe('environments as kustomize overlays of one base', () => {
  it('deploys the staging overlay on a push and promotes the same image to the production overlay by DRONE_DEPLOY_TO', async () => {
    const ws = shop();
    const push = await deploy(ws, step);
    assert.equal(push.code, 0, push.out);
    assert.match(push.first, /^deploying environment staging \(settings\.environment\): cluster https:\/\/127\.0\.0\.1:\d+, context kube-emulator, namespace shop-staging$/);
    assert.match(push.stdout, /^kustomize: built deploy\/overlays\/staging into 4 objects$/m);
    const config = live(`/api/v1/namespaces/shop-staging/configmaps/${STAGING_CONFIG}`);
    assert.deepEqual(config?.data, { GREETING: 'hello staging', PORT: '8080' });
    const web = live('/apis/apps/v1/namespaces/shop-staging/deployments/staging-web');
    assert.equal(web?.spec.template.spec.containers[0].image, 'registry.example.com/shop/web:abc1234');
    assert.equal(web?.spec.template.spec.containers[0].envFrom[0].configMapRef.name, STAGING_CONFIG);
    assert.equal(web?.metadata.labels.env, 'staging');
    assert.deepEqual(web?.spec.selector.matchLabels, { app: 'web' }, '`labels` leaves selectors alone unless includeSelectors');
    // kustomize writes annotation values as their text, so the server accepts `1.50`.
    assert.equal(web?.metadata.annotations['sortie.dev/replicas-of'], '1.50');
    assert.equal(live('/api/v1/namespaces/shop-staging/configmaps/plain'), undefined, "the overlay replaces the step's manifests");
    assert.equal(push.stdout.trim().split('\n').at(-1), 'reachable at http://staging.shop.example.com');

    const promote = await deploy(ws, { ...step, DRONE_BUILD_EVENT: 'promote', DRONE_DEPLOY_TO: 'production', DRONE_BUILD_PARENT: '42', DRONE_BUILD_NUMBER: '43' });
    assert.equal(promote.code, 0, promote.out);
    assert.match(promote.first, /^deploying environment production \(DRONE_DEPLOY_TO\): .*namespace shop-prod$/);
    const prod = live('/apis/apps/v1/namespaces/shop-prod/deployments/prod-web');
    assert.equal(prod?.spec.replicas, 3);
    assert.equal(prod?.spec.template.spec.containers[0].image, 'registry.example.com/shop/web:abc1234', 'the image staging runs');
    assert.equal(prod?.spec.template.spec.containers[0].envFrom[0].configMapRef.name, PROD_CONFIG);
    assert.equal(live(`/api/v1/namespaces/shop-prod/configmaps/${PROD_CONFIG}`)?.data.GREETING, 'hello production');
    assert.ok(live('/api/v1/namespaces/shop-prod/services/prod-web'));
    assert.equal(live('/apis/apps/v1/namespaces/shop-prod/deployments/staging-web'), undefined);
    assert.match(promote.stdout, /deployment\.apps\/prod-web successfully rolled out/);
    assert.equal(promote.stdout.trim().split('\n').at(-1), 'reachable at http://shop.example.com');

    // A target naming no overlay nor manifests deploys the step's own.
    const qa = await deploy(ws, { ...step, DRONE_BUILD_EVENT: 'promote', DRONE_DEPLOY_TO: 'qa', PLUGIN_WAIT: 'false' });
    assert.equal(qa.code, 0, qa.out);
    assert.equal(live('/api/v1/namespaces/shop-staging/configmaps/plain')?.data.from, 'step');
  });

  it("promotes by Woodpecker's CI_PIPELINE_DEPLOY_TARGET", async () => {
    const ws = shop();
    const env = { ...woodpecker315Env(ws, 'success'), CI_PIPELINE_EVENT: 'deployment', CI_PIPELINE_DEPLOY_TARGET: 'production', ...step };
    const r = await runBundle('kubernetes', { ...env, PLUGIN_ENV_FILE: join(ws, 'no-env-file'), PLUGIN_KUBECONFIG: api.kubeconfig(), PLUGIN_WAIT: 'false' }, { cwd: ws });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout.split('\n')[0]!, /^deploying environment production \(CI_PIPELINE_DEPLOY_TARGET\): .*namespace shop-prod$/);
    assert.equal(live('/apis/apps/v1/namespaces/shop-prod/deployments/prod-web')?.spec.template.spec.containers[0].envFrom[0].configMapRef.name, PROD_CONFIG);
  });

  it('deploys an overlay as the preview of a branch, then tears it down', async () => {
    const ws = shop();
    const preview = {
      PLUGIN_PREVIEW: 'true',
      PLUGIN_KUSTOMIZE: 'deploy/overlays/preview',
      // The overlay's patch replaces the base's host by the preview's own.
      PLUGIN_VARS: JSON.stringify({ IMAGE_TAG: 'abc1234', HOST: 'replaced.example.com' }),
      DRONE_COMMIT_BRANCH: 'feature/cart',
      DRONE_BRANCH: 'feature/cart',
    };
    const ns = 'preview-feature-cart';
    const up = await deploy(ws, preview);
    assert.equal(up.code, 0, up.out);
    assert.match(up.first, new RegExp(`^deploying the preview of branch feature/cart: cluster .*, namespace ${ns}$`));
    assert.equal(live(`/api/v1/namespaces/${ns}`)?.metadata.labels['sortie.dev/preview'], 'true');
    const web = live(`/apis/apps/v1/namespaces/${ns}/deployments/pr-web`);
    assert.equal(web?.metadata.annotations['sortie.dev/preview-of'], 'feature/cart');
    assert.match(web?.spec.template.spec.containers[0].envFrom[0].configMapRef.name, /^pr-web-config-[a-z0-9]{10}$/);
    assert.equal(up.stdout.trim().split('\n').at(-1), `reachable at http://${ns}.preview.example.com`);

    const down = await deploy(ws, { ...preview, PLUGIN_ACTION: 'teardown' });
    assert.equal(down.code, 0, down.out);
    assert.match(down.stdout, new RegExp(`^namespace/${ns} is gone$`, 'm'));
    assert.equal(live(`/apis/apps/v1/namespaces/${ns}/deployments/pr-web`), undefined);
  });

  it("refuses an overlay whose namespace: is not the preview's, before any change", async () => {
    const ws = shop();
    mkdirSync(join(ws, 'deploy/overlays/fixed'));
    writeFileSync(join(ws, 'deploy/overlays/fixed/kustomization.yaml'), 'resources: [../../base]\nnamespace: shop-prod\n');
    const sent = api.requests.length;
    const r = await deploy(ws, { PLUGIN_PREVIEW: 'true', PLUGIN_KUSTOMIZE: 'deploy/overlays/fixed', PLUGIN_VARS: '{"IMAGE_TAG":"1","HOST":"h"}', DRONE_COMMIT_BRANCH: 'fixed' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /configmap\/web-config-\w+ names namespace "shop-prod", but the preview's namespace is "preview-fixed"/);
    assert.ok(api.requests.slice(sent).every((q) => q.method === 'GET'), 'nothing was changed');
  });
});
