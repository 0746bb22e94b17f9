import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dump, load } from 'js-yaml';
import { type KubeApi, startKubeApi } from '../kube-api/server.ts';
import { type Stored, deployStep, liveObject } from '../support/kube-deploy.ts';
import { repoRoot, runBundle } from '../support/run-bundle.ts';
import { woodpecker315Env } from '../support/woodpecker-env.ts';
import { workspace } from '../support/workspace.ts';

let api: KubeApi;

before(async () => {
  api = await startKubeApi({ controllerIntervalMs: 20, namespaces: ['shop-staging', 'shop-prod'] });
});
after(() => api.close());

const live = (path: string) => liveObject(api, path);

const deploy = (ws: string, env: Record<string, string>) => deployStep(api, ws, env);

/** The same base, and an overlay per environment that sets its replicas and greeting. */
const app = () =>
  workspace({
    'deploy/base/web.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  GREETING: "\${GREETING}"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: \${REPLICAS}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: app
          image: registry.example.com/shop/web:\${DRONE_BUILD_NUMBER}
`,
    'deploy/staging/extra.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: staging-only\ndata:\n  debug: "true"\n',
    'deploy/production/extra.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: production-only\ndata:\n  debug: "false"\n',
  });

const environments = JSON.stringify({
  staging: { namespace: 'shop-staging', manifests: ['deploy/base/', 'deploy/staging/'], vars: { REPLICAS: 1, GREETING: 'hello staging' } },
  production: { namespace: 'shop-prod', context: 'kube-emulator', manifests: ['deploy/base/', 'deploy/production/'], vars: { REPLICAS: 3 } },
});
const step = { PLUGIN_ENVIRONMENTS: environments, PLUGIN_ENVIRONMENT: 'staging', PLUGIN_VARS: '{"GREETING":"hello"}' };

describe('environments and promotion', () => {
  it('deploys a push to the environment setting, and `drone build promote ... production` to production, from one step', async () => {
    const ws = app();
    const push = await deploy(ws, step);
    assert.equal(push.code, 0, push.out);
    assert.match(push.first, /^deploying environment staging \(settings\.environment\): cluster https:\/\/127\.0\.0\.1:\d+, context kube-emulator, namespace shop-staging$/);
    assert.equal(live('/api/v1/namespaces/shop-staging/configmaps/web-config')?.data.GREETING, 'hello staging');
    assert.equal(live('/apis/apps/v1/namespaces/shop-staging/deployments/web')?.spec.replicas, 1);
    assert.ok(live('/api/v1/namespaces/shop-staging/configmaps/staging-only'));
    assert.equal(live('/api/v1/namespaces/shop-prod/configmaps/web-config'), undefined);

    const promote = await deploy(ws, { ...step, DRONE_BUILD_EVENT: 'promote', DRONE_DEPLOY_TO: 'production', DRONE_BUILD_PARENT: '42', DRONE_BUILD_NUMBER: '43' });
    assert.equal(promote.code, 0, promote.out);
    assert.match(promote.first, /^deploying environment production \(DRONE_DEPLOY_TO\): cluster https:\/\/127\.0\.0\.1:\d+, context kube-emulator, namespace shop-prod$/);
    const web = live('/apis/apps/v1/namespaces/shop-prod/deployments/web');
    assert.equal(web?.spec.replicas, 3);
    assert.equal(web?.spec.template.spec.containers[0].image, 'registry.example.com/shop/web:43');
    // The step's vars stay, the environment's are added over them.
    assert.equal(live('/api/v1/namespaces/shop-prod/configmaps/web-config')?.data.GREETING, 'hello');
    assert.ok(live('/api/v1/namespaces/shop-prod/configmaps/production-only'));
    assert.equal(live('/api/v1/namespaces/shop-prod/configmaps/staging-only'), undefined);
    assert.match(promote.stdout, /deployment\.apps\/web successfully rolled out/);
  });

  it("switches cluster with the environment's context", async () => {
    const second = await startKubeApi({ controllerIntervalMs: 20, namespaces: ['shop'] });
    try {
      // One kubeconfig, a context per cluster, as teams keep it in one secret.
      const [a, b] = [api.kubeconfig(), second.kubeconfig()].map((k) => load(k) as Record<string, Array<Record<string, unknown>>>);
      const rename = (doc: typeof a, name: string) => ({
        clusters: doc!.clusters!.map((c) => ({ ...c, name })),
        users: doc!.users!.map((u) => ({ ...u, name })),
        contexts: [{ name, context: { cluster: name, user: name } }],
      });
      const [staging, production] = [rename(a, 'staging'), rename(b, 'production')];
      const kubeconfig = dump({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [...staging.clusters, ...production.clusters],
        users: [...staging.users, ...production.users],
        contexts: [...staging.contexts, ...production.contexts],
        'current-context': 'staging',
      });
      const ws = workspace({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: where\ndata:\n  env: ${ENV}\n' });
      const envs = JSON.stringify({ staging: { namespace: 'shop-staging', vars: { ENV: 'staging' } }, production: { context: 'production', namespace: 'shop', vars: { ENV: 'production' } } });
      const step = { PLUGIN_KUBECONFIG: kubeconfig, PLUGIN_MANIFESTS: 'cm.yaml', PLUGIN_ENVIRONMENTS: envs, PLUGIN_ENVIRONMENT: 'staging' };
      const push = await deploy(ws, step);
      assert.equal(push.code, 0, push.out);
      assert.equal(push.first, `deploying environment staging (settings.environment): cluster ${api.url}, context staging, namespace shop-staging`);
      const promote = await deploy(ws, { ...step, DRONE_BUILD_EVENT: 'promote', DRONE_DEPLOY_TO: 'production' });
      assert.equal(promote.code, 0, promote.out);
      assert.equal(promote.first, `deploying environment production (DRONE_DEPLOY_TO): cluster ${second.url}, context production, namespace shop`);
      assert.equal((second.get('/api/v1/namespaces/shop/configmaps/where') as Stored | undefined)?.data.env, 'production');
      assert.equal(live('/api/v1/namespaces/shop/configmaps/where'), undefined, 'nothing went to the first cluster');
    } finally {
      await second.close();
    }
  });

  it("takes Woodpecker's CI_PIPELINE_DEPLOY_TARGET", async () => {
    const ws = app();
    const env = { ...woodpecker315Env(ws, 'success'), CI_PIPELINE_EVENT: 'deployment', CI_PIPELINE_DEPLOY_TARGET: 'production', ...step };
    const r = await runBundle('kubernetes', { ...env, PLUGIN_ENV_FILE: join(ws, 'no-env-file'), PLUGIN_KUBECONFIG: api.kubeconfig(), PLUGIN_WAIT: 'false' }, { cwd: ws });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout.split('\n')[0]!, /^deploying environment production \(CI_PIPELINE_DEPLOY_TARGET\): .*namespace shop-prod$/);
  });

  it('an unknown target fails before any request, listing the known ones', async () => {
    const ws = app();
    const sent = api.requests.length;
    const r = await deploy(ws, { ...step, DRONE_BUILD_EVENT: 'promote', DRONE_DEPLOY_TO: 'qa' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /DRONE_DEPLOY_TO is "qa", which is not a target of settings\.environments: the targets are staging, production/);
    assert.equal(api.requests.length, sent, 'no request was sent');
  });

  it('a wrong environment is a settings error naming environments.<target>.<key>', async () => {
    const ws = app();
    const r = await deploy(ws, { PLUGIN_ENVIRONMENTS: JSON.stringify({ production: { namspace: 'shop', vars: { A: { deep: 1 } } } }), PLUGIN_ENVIRONMENT: 'production' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /settings\.environments: environments\.production\.namspace is not a key of an environment: use namespace, context, kustomize, vars or manifests; environments\.production\.vars: expected a map/);
    const outside = await deploy(ws, { PLUGIN_ENVIRONMENTS: JSON.stringify({ production: { manifests: '../../etc/' } }), PLUGIN_ENVIRONMENT: 'production' });
    assert.equal(outside.code, 1, outside.out);
    assert.match(outside.stderr, /settings\.environments\.production\.manifests: "\.\.\/\.\.\/etc\/" is outside the workspace/);
    const empty = await deploy(ws, { PLUGIN_ENVIRONMENTS: JSON.stringify({ production: { namespace: 'shop-prod' } }), PLUGIN_ENVIRONMENT: 'production' });
    assert.equal(empty.code, 1, empty.out);
    assert.match(empty.stderr, /environment production has nothing to deploy: settings\.environments\.production\.manifests and \.kustomize, and the step's manifests, kustomize, template and deployment, are all unset/);
    const both = await deploy(ws, { ...step, PLUGIN_PREVIEW: 'true' });
    assert.equal(both.code, 1, both.out);
    assert.match(both.stderr, /settings\.environments\.staging\.namespace and settings\.preview exclude each other/);
  });
});

const previewApp = () =>
  workspace({
    'k8s/app.yaml': `apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
data:
  BRANCH: "\${DRONE_COMMIT_BRANCH}"
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: web
spec:
  tls:
    - hosts: [\${PREVIEW_NAMESPACE}.preview.example.com]
      secretName: web-tls
  rules:
    - host: \${PREVIEW_NAMESPACE}.preview.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend: {service: {name: web, port: {number: 80}}}
    - host: plain.\${PREVIEW_NAMESPACE}.preview.example.com
`,
  });

const previewStep = (branch: string, extra: Record<string, string> = {}) => ({
  PLUGIN_PREVIEW: 'true',
  PLUGIN_MANIFESTS: 'k8s/',
  DRONE_COMMIT_BRANCH: branch,
  DRONE_BRANCH: branch,
  ...extra,
});

describe('preview environments', () => {
  it('creates the namespace of the branch with its labels and expiry, pushes the expiry forward, and says where it can be reached', async () => {
    const ws = previewApp();
    const first = await deploy(ws, previewStep('feature/Login_Page'));
    assert.equal(first.code, 0, first.out);
    const ns = 'preview-feature-login-page';
    assert.match(first.first, new RegExp(`^deploying the preview of branch feature/Login_Page: cluster .*, namespace ${ns}$`));
    assert.match(first.stdout, new RegExp(`^namespace/${ns} created$`, 'm'));
    const created = live(`/api/v1/namespaces/${ns}`)!;
    assert.deepEqual(
      { ...created.metadata.labels },
      {
        'kubernetes.io/metadata.name': ns,
        'sortie.dev/preview': 'true',
        'sortie.dev/branch': 'feature.Login_Page',
        'sortie.dev/repo': 'octocat.hello-world',
      },
    );
    assert.equal(created.metadata.annotations['sortie.dev/branch'], 'feature/Login_Page');
    assert.equal(created.metadata.annotations['sortie.dev/repo'], 'octocat/hello-world');
    const expiry = Date.parse(created.metadata.annotations['sortie.dev/expires-at']);
    assert.ok(Math.abs(expiry - (Date.now() + 72 * 3_600_000)) < 60_000, 'expires in 72h by default');
    assert.equal(live(`/api/v1/namespaces/${ns}/configmaps/web-config`)?.data.BRANCH, 'feature/Login_Page');
    const lines = first.stdout.trim().split('\n');
    assert.equal(lines.at(-1), `reachable at https://${ns}.preview.example.com, http://plain.${ns}.preview.example.com`);

    const again = await deploy(ws, previewStep('feature/Login_Page', { PLUGIN_PREVIEW_TTL: '96h' }));
    assert.equal(again.code, 0, again.out);
    assert.match(again.stdout, new RegExp(`^namespace/${ns} configured$`, 'm'));
    assert.match(again.stdout, /^configmap\/web-config unchanged$/m);
    const refreshed = Date.parse(live(`/api/v1/namespaces/${ns}`)!.metadata.annotations['sortie.dev/expires-at']);
    assert.ok(refreshed > expiry + 23 * 3_600_000, 'the expiry moved forward');
  });

  it('names a pull request by its number, and cuts a long branch name with a stable hash', async () => {
    const ws = previewApp();
    const pr = await deploy(ws, previewStep('fix', { DRONE_BUILD_EVENT: 'pull_request', DRONE_PULL_REQUEST: '17', DRONE_SOURCE_BRANCH: 'fix', PLUGIN_WAIT: 'false' }));
    assert.equal(pr.code, 0, pr.out);
    assert.match(pr.first, /the preview of pull request 17: .*namespace preview-pr-17$/);
    assert.equal(live('/api/v1/namespaces/preview-pr-17')?.metadata.labels['sortie.dev/pull-request'], '17');

    const long = `feature/${'very-long-branch-name-'.repeat(4)}end`;
    const r = await deploy(ws, previewStep(long));
    assert.equal(r.code, 0, r.out);
    const ns = /namespace (preview-\S+)$/.exec(r.first)?.[1] ?? '';
    assert.ok(ns.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) && /-[0-9a-f]{8}$/.test(ns), ns);
    assert.ok(live(`/api/v1/namespaces/${ns}`));
  });

  it("is torn down by Woodpecker's pull_request_closed pipeline", async () => {
    const ws = previewApp();
    const woodpecker = (event: string) => ({
      ...woodpecker315Env(ws, 'success'),
      CI_PIPELINE_EVENT: event,
      CI_COMMIT_PULL_REQUEST: '21',
      CI_COMMIT_SOURCE_BRANCH: 'feature/search',
      PLUGIN_KUBECONFIG: api.kubeconfig(),
      PLUGIN_ENV_FILE: join(ws, 'no-env-file'),
      PLUGIN_PREVIEW: 'true',
    });
    const opened = await runBundle('kubernetes', { ...woodpecker('pull_request'), PLUGIN_MANIFESTS: 'k8s/', PLUGIN_WAIT: 'false' }, { cwd: ws });
    assert.equal(opened.code, 0, opened.stdout + opened.stderr);
    assert.equal(live('/api/v1/namespaces/preview-pr-21')?.metadata.annotations['sortie.dev/branch'], 'feature/search');
    const closed = await runBundle('kubernetes', { ...woodpecker('pull_request_closed'), PLUGIN_ACTION: 'teardown' }, { cwd: ws });
    assert.equal(closed.code, 0, closed.stdout + closed.stderr);
    assert.match(closed.stdout, /^namespace\/preview-pr-21 is gone$/m);
  });

  it('refuses a namespace that is not this branch preview', async () => {
    const ws = previewApp();
    // `feature-x` slugs like `feature/x`: the second may not take the first's namespace.
    assert.equal((await deploy(ws, previewStep('feature-x', { PLUGIN_WAIT: 'false' }))).code, 0);
    const r = await deploy(ws, previewStep('feature/x'));
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /settings\.preview: namespace preview-feature-x is the preview of feature-x, not feature\/x/);
  });

  it('tears down the branch preview, with everything in it, and says so when there is none', async () => {
    const ws = previewApp();
    const ns = 'preview-to-remove';
    assert.equal((await deploy(ws, previewStep('to-remove'))).code, 0);
    assert.ok(live(`/api/v1/namespaces/${ns}/configmaps/web-config`));
    const teardownStep = { PLUGIN_PREVIEW: 'true', PLUGIN_ACTION: 'teardown', DRONE_COMMIT_BRANCH: 'to-remove' };

    const dry = await deploy(ws, { ...teardownStep, PLUGIN_DRY_RUN: 'true' });
    assert.equal(dry.code, 0, dry.out);
    assert.match(dry.stdout, new RegExp(`^namespace/${ns} deleted \\(dry run\\)$`, 'm'));
    assert.ok(live(`/api/v1/namespaces/${ns}`));

    const r = await deploy(ws, teardownStep);
    assert.equal(r.code, 0, r.out);
    assert.match(r.first, new RegExp(`^tearing down the preview of branch to-remove: .*namespace ${ns}$`));
    assert.match(r.stdout, new RegExp(`^namespace/${ns} is gone$`, 'm'));
    assert.equal(live(`/api/v1/namespaces/${ns}`), undefined);
    assert.equal(live(`/api/v1/namespaces/${ns}/configmaps/web-config`), undefined);

    const none = await deploy(ws, teardownStep);
    assert.equal(none.code, 0, none.out);
    assert.match(none.stdout, new RegExp(`namespace ${ns} does not exist: nothing to tear down`));
  });

  it("cleans up the repository's expired previews only, listing them, and a dry run deletes nothing", async () => {
    const ws = previewApp();
    const wait = { PLUGIN_WAIT: 'false', PLUGIN_PREVIEW_TTL: '1s' };
    assert.equal((await deploy(ws, previewStep('old-one', wait))).code, 0);
    assert.equal((await deploy(ws, previewStep('old-two', wait))).code, 0);
    assert.equal((await deploy(ws, previewStep('fresh', { PLUGIN_WAIT: 'false' }))).code, 0);
    assert.equal((await deploy(ws, previewStep('old-one', { ...wait, DRONE_REPO: 'octocat/other' , PLUGIN_PREVIEW_PREFIX: 'other' }))).code, 0);
    await new Promise((r) => setTimeout(r, 2100));

    const cleanup = { PLUGIN_PREVIEW_CLEANUP: 'true' };
    const dry = await deploy(ws, { ...cleanup, PLUGIN_DRY_RUN: 'true' });
    assert.equal(dry.code, 0, dry.out);
    assert.match(dry.first, /^cleaning up previews: cluster /);
    assert.match(dry.stdout, /^preview cleanup: 2 of the \d+ preview namespaces of octocat\/hello-world expired \(dry run\)$/m);
    assert.match(dry.stdout, /^namespace\/preview-old-one deleted \(dry run\): old-one, expired /m);
    assert.ok(live('/api/v1/namespaces/preview-old-one'), 'a dry run deletes nothing');

    const r = await deploy(ws, cleanup);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /^namespace\/preview-old-one deleted: old-one, expired /m);
    assert.match(r.stdout, /^namespace\/preview-old-two deleted: old-two, expired /m);
    await until(() => !live('/api/v1/namespaces/preview-old-one') && !live('/api/v1/namespaces/preview-old-two'));
    assert.ok(live('/api/v1/namespaces/preview-fresh'), 'an unexpired preview stays');
    assert.ok(live('/api/v1/namespaces/other-old-one'), "another repository's preview stays");
  });
});

describe('where a deploy can be reached', () => {
  it('ends with the hosts of Ingresses and HTTPRoutes, https where TLS serves them', async () => {
    const crd = (kind: string, plural: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.gateway.networking.k8s.io
spec:
  group: gateway.networking.k8s.io
  scope: Namespaced
  names: {kind: ${kind}, plural: ${plural}, singular: ${kind.toLowerCase()}, listKind: ${kind}List}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
`;
    const ws = workspace({
      'k8s/crds.yaml': `${crd('Gateway', 'gateways')}---\n${crd('HTTPRoute', 'httproutes')}`,
      'k8s/routes.yaml': `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata:
  name: public
spec:
  gatewayClassName: example
  listeners:
    - {name: https, protocol: HTTPS, port: 443, hostname: "*.shop.example.com"}
    - {name: http, protocol: HTTP, port: 80}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata:
  name: web
spec:
  parentRefs: [{name: public}]
  hostnames: [www.shop.example.com, shop.example.org]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: admin
spec:
  rules:
    - host: admin.example.com
    - host: "*.wild.example.com"
`,
    });
    const r = await deploy(ws, { PLUGIN_MANIFESTS: 'k8s/', PLUGIN_NAMESPACE: 'shop-staging' });
    assert.equal(r.code, 0, r.out);
    assert.equal(r.stdout.trim().split('\n').at(-1), 'reachable at https://www.shop.example.com, http://shop.example.org, http://admin.example.com');
    // A Gateway of the cluster, not of this apply, is read to tell https from http.
    const routeOnly = workspace({
      'route.yaml': 'apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata:\n  name: shop\nspec:\n  parentRefs: [{name: public, namespace: shop-staging}]\n  hostnames: [shop.shop.example.com]\n',
    });
    const route = await deploy(routeOnly, { PLUGIN_MANIFESTS: 'route.yaml', PLUGIN_NAMESPACE: 'shop-prod' });
    assert.equal(route.code, 0, route.out);
    assert.equal(route.stdout.trim().split('\n').at(-1), 'reachable at https://shop.shop.example.com');
    const dry = await deploy(ws, { PLUGIN_MANIFESTS: 'k8s/', PLUGIN_NAMESPACE: 'shop-staging', PLUGIN_DRY_RUN: 'true' });
    assert.equal(dry.code, 0, dry.out);
    assert.doesNotMatch(dry.stdout, /reachable at/);
  });
});

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(done());
}

describe('the preview RBAC example', () => {
  it('is all a service account needs to deploy, tear down and clean up previews', async () => {
    const rbac = readFileSync(join(repoRoot, 'examples', 'kubernetes', 'rbac', 'preview-deployer.yaml'), 'utf8');
    const admin = await deploy(workspace({ 'rbac.yaml': rbac }), { PLUGIN_MANIFESTS: 'rbac.yaml' });
    assert.equal(admin.code, 0, admin.out);

    const ws = previewApp();
    const sa = join(ws, '.sa');
    await api.writeServiceAccountDir(sa, 'ci', 'preview-deployer');
    const { hostname, port } = new URL(api.url);
    const inCluster = { PLUGIN_KUBECONFIG: '', PLUGIN_SERVICE_ACCOUNT_DIR: sa, KUBERNETES_SERVICE_HOST: hostname, KUBERNETES_SERVICE_PORT: port };
    const asDeployer = (env: Record<string, string>) => deploy(ws, { ...inCluster, ...env });
    const up = await asDeployer(previewStep('rbac-check', { PLUGIN_PREVIEW_TTL: '1s' }));
    assert.equal(up.code, 0, up.out);
    assert.ok(live('/api/v1/namespaces/preview-rbac-check/configmaps/web-config'));
    await new Promise((r) => setTimeout(r, 1100));
    const cleanup = await asDeployer({ PLUGIN_PREVIEW_CLEANUP: 'true', PLUGIN_DRY_RUN: 'true' });
    assert.equal(cleanup.code, 0, cleanup.out);
    assert.match(cleanup.stdout, /^namespace\/preview-rbac-check deleted \(dry run\)/m);
    const down = await asDeployer({ PLUGIN_PREVIEW: 'true', PLUGIN_ACTION: 'teardown', DRONE_COMMIT_BRANCH: 'rbac-check' });
    assert.equal(down.code, 0, down.out);
    assert.equal(live('/api/v1/namespaces/preview-rbac-check'), undefined);
  });
});
