import assert from 'node:assert/strict';
import { type IncomingMessage, createServer } from 'node:http';
import { type AddressInfo, type Socket, connect } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dump, load } from 'js-yaml';
import { copyDemoManifests, demoEnv } from '../../examples/kubernetes/demo.ts';
import { type KubeApi, startKubeApi } from '../kube-api/server.ts';
import { runBundle } from '../support/run-bundle.ts';
import { workspace } from '../support/workspace.ts';

let api: KubeApi;
let seq = 0;

before(async () => {
  api = await startKubeApi({
    controllerIntervalMs: 20,
    namespaces: ['demo', 'other'],
    identities: [
      { user: 'reader', rules: [{ verbs: ['get', 'list'], apiGroups: ['', 'apps'], resources: ['*'] }] },
      { user: 'ci', rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['demo'] }] },
    ],
  });
});
after(() => api.close());

function uniqueNs(): string {
  return `t${++seq}-${process.pid}`;
}

async function deploy(ws: string, env: Record<string, string>) {
  const r = await runBundle('kubernetes', { DRONE_WORKSPACE: ws, PLUGIN_ENV_FILE: join(ws, 'no-env-file'), ...env }, { cwd: ws, timeoutMs: 60_000 });
  const out = r.stdout + r.stderr;
  for (const secret of credentialsIn(env)) assert.ok(!out.includes(secret), `a credential reached the output:\n${out}`);
  return { ...r, out };
}

/** Every credential a run was given: tokens, keys, and those inside a kubeconfig (raw or base64). */
function credentialsIn(env: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!/KUBECONFIG|TOKEN|CLIENT_KEY/.test(name)) continue;
    found.push(value);
    const text = /^[A-Za-z0-9+/=\s]+$/.test(value) ? Buffer.from(value, 'base64').toString('utf8') : value;
    for (const m of text.matchAll(/^\s*(?:token|client-key-data):\s*"?([^"\s]+)"?\s*$/gm)) found.push(m[1]!);
  }
  return found.filter((v) => v.length >= 8);
}

const admin = () => ({ PLUGIN_KUBECONFIG: api.kubeconfig() });

/** A kubeconfig with more fields on its (one) cluster. */
function withCluster(kubeconfig: string, fields: Record<string, string>): string {
  const doc = load(kubeconfig) as { clusters: Array<{ cluster: Record<string, string> }> };
  Object.assign(doc.clusters[0]!.cluster, fields);
  return dump(doc);
}

const configMap = (name: string, data: Record<string, string>, extra = '') =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n${extra}data:\n${Object.entries(data)
    .map(([k, v]) => `  ${k}: "${v}"`)
    .join('\n')}\n`;

const deployment = (name: string, opts: { image?: string; replicas?: number; fault?: string; labels?: string } = {}) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${opts.labels ?? ''}spec:
  replicas: ${opts.replicas ?? 2}
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}${opts.fault ? `\n      annotations: {emulator.sortie.dev/fault: ${opts.fault}}` : ''}
    spec:
      containers:
        - name: app
          image: ${opts.image ?? 'nginx:1.27'}
`;

/** The stored object, loosely typed: tests read deep fields of many kinds. */
// biome-ignore lint/suspicious/noExplicitAny: a JSON object of any kind
type Stored = Record<string, any>;

function live(path: string): Stored | undefined {
  return api.get(path) as Stored | undefined;
}

describe('auth', () => {
  it('applies with a kubeconfig (token), reports created / unchanged / configured, and waits', async () => {
    const ns = uniqueNs();
    const ws = workspace({ 'k8s/app.yaml': `${configMap('app-config', { LOG_LEVEL: '${LOG_LEVEL}' })}---\n${deployment('web')}` });
    const env = { ...admin(), PLUGIN_NAMESPACE: ns, PLUGIN_CREATE_NAMESPACE: 'true', PLUGIN_MANIFESTS: 'k8s/', PLUGIN_VARS: '{"LOG_LEVEL":"info"}' };
    const first = await deploy(ws, env);
    assert.equal(first.code, 0, first.out);
    assert.match(first.stdout, new RegExp(`^namespace/${ns} created$`, 'm'));
    assert.match(first.stdout, /^configmap\/app-config created$/m);
    assert.match(first.stdout, /^deployment.apps\/web created$/m);
    assert.match(first.stdout, /deployment.apps\/web successfully rolled out/);
    assert.equal(live(`/api/v1/namespaces/${ns}/configmaps/app-config`)?.data.LOG_LEVEL, 'info');

    const again = await deploy(ws, env);
    assert.equal(again.code, 0, again.out);
    assert.match(again.stdout, /^configmap\/app-config unchanged$/m);
    assert.match(again.stdout, /^deployment.apps\/web unchanged$/m);

    const changed = await deploy(ws, { ...env, PLUGIN_VARS: '{"LOG_LEVEL":"debug"}' });
    assert.equal(changed.code, 0, changed.out);
    assert.match(changed.stdout, /^configmap\/app-config configured$/m);
    assert.match(changed.stdout, /^deployment.apps\/web unchanged$/m);
    assert.doesNotMatch(changed.out, new RegExp(api.adminToken));
  });

  it('accepts a base64 kubeconfig with a client certificate, and the context namespace', async () => {
    const ws = workspace({ 'cm.yaml': configMap('from-cert', { a: '1' }) });
    const kubeconfig = Buffer.from(api.kubeconfig({ useClientCert: true, namespace: 'other' })).toString('base64');
    const r = await deploy(ws, { PLUGIN_KUBECONFIG: kubeconfig, PLUGIN_MANIFESTS: 'cm.yaml' });
    assert.equal(r.code, 0, r.out);
    assert.ok(live('/api/v1/namespaces/other/configmaps/from-cert'));
  });

  it('takes server + token + base64 CA under the drone-kubernetes names', async () => {
    const ws = workspace({ 'cm.yaml': configMap('from-token', { a: '1' }) });
    const r = await deploy(ws, {
      PLUGIN_KUBERNETES_SERVER: api.url,
      PLUGIN_KUBERNETES_TOKEN: api.adminToken,
      PLUGIN_KUBERNETES_CERT: Buffer.from(api.caPem).toString('base64'),
      PLUGIN_NAMESPACE: 'demo',
      PLUGIN_MANIFESTS: 'cm.yaml',
    });
    assert.equal(r.code, 0, r.out);
    assert.ok(live('/api/v1/namespaces/demo/configmaps/from-token'));
  });

  it('takes server + client_cert + client_key (PEM)', async () => {
    const ws = workspace({ 'cm.yaml': configMap('from-client-cert', { a: '1' }) });
    const cert = api.clientCert('admin', ['system:masters']);
    const r = await deploy(ws, { PLUGIN_SERVER: api.url, PLUGIN_CA: api.caPem, PLUGIN_CLIENT_CERT: cert.certPem, PLUGIN_CLIENT_KEY: cert.keyPem, PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'cm.yaml' });
    assert.equal(r.code, 0, r.out);
    assert.ok(live('/api/v1/namespaces/demo/configmaps/from-client-cert'));
    assert.doesNotMatch(r.out, /PRIVATE KEY/);
  });

  it('uses the in-cluster service account, with the example Role, and names it in a 403', async () => {
    const ns = uniqueNs();
    const rbac = workspace({
      'rbac.yaml': `apiVersion: v1
kind: ServiceAccount
metadata:
  name: deployer
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: deployer
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get, list, create, patch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: deployer
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}
subjects:
  - {kind: ServiceAccount, name: deployer}
`,
    });
    const setup = await deploy(rbac, { ...admin(), PLUGIN_NAMESPACE: ns, PLUGIN_CREATE_NAMESPACE: 'true', PLUGIN_MANIFESTS: 'rbac.yaml' });
    assert.equal(setup.code, 0, setup.out);

    const ws = workspace({ 'app.yaml': `${configMap('sa-config', { a: '1' })}---\n${deployment('sa-web')}` });
    const saDir = join(ws, 'sa');
    await api.writeServiceAccountDir(saDir, ns, 'deployer');
    const { port, hostname } = new URL(api.url);
    const incluster = { KUBERNETES_SERVICE_HOST: hostname, KUBERNETES_SERVICE_PORT: port, PLUGIN_SERVICE_ACCOUNT_DIR: saDir };

    const denied = await deploy(ws, { ...incluster, PLUGIN_MANIFESTS: 'app.yaml' });
    assert.equal(denied.code, 1, denied.out);
    assert.match(denied.stderr, new RegExp(`app.yaml:\\d+: dry-run apply deployment.apps/sa-web in namespace ${ns}: system:serviceaccount:${ns}:deployer may not patch deployments.apps in namespace ${ns} \\(403 Forbidden; authenticated with the in-cluster service account`));
    assert.match(denied.out, /hint: Add the rule \{apiGroups: \["apps"\], resources: \["deployments"\], verbs: \["patch", "create", "get"\]\}/);
    assert.equal(live(`/api/v1/namespaces/${ns}/configmaps/sa-config`), undefined, 'nothing is applied when a dry run fails');

    const cmOnly = await deploy(ws, { ...incluster, PLUGIN_TEMPLATE: configMap('sa-config', { a: '1' }) });
    assert.equal(cmOnly.code, 0, cmOnly.out);
    assert.ok(live(`/api/v1/namespaces/${ns}/configmaps/sa-config`), 'the namespace comes from the service account');
  });

  it('says when there is no cluster to talk to', async () => {
    const r = await deploy(workspace({ 'cm.yaml': configMap('x', { a: '1' }) }), { PLUGIN_MANIFESTS: 'cm.yaml', PLUGIN_SERVICE_ACCOUNT_DIR: '/nonexistent' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no cluster to deploy to/);
  });

  it('prints no credential with debug on, on success and on a 401', async () => {
    const ns = uniqueNs();
    const ws = workspace({ 'a.yaml': configMap('debugged', { a: '1' }) });
    const ok = await deploy(ws, { ...admin(), PLUGIN_NAMESPACE: ns, PLUGIN_CREATE_NAMESPACE: 'true', PLUGIN_MANIFESTS: 'a.yaml', PLUGIN_DEBUG: 'true' });
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.out, /debug: /);
    const rejected = await deploy(ws, { PLUGIN_SERVER: api.url, PLUGIN_TOKEN: 'a-token-the-server-rejects', PLUGIN_CA: api.caPem, PLUGIN_NAMESPACE: ns, PLUGIN_MANIFESTS: 'a.yaml', PLUGIN_DEBUG: 'true' });
    assert.notEqual(rejected.code, 0);
  });

  it('reports a rejected token (401) naming the identity', async () => {
    const r = await deploy(workspace({ 'cm.yaml': configMap('x', { a: '1' }) }), { PLUGIN_SERVER: api.url, PLUGIN_TOKEN: 'not-a-valid-token-at-all', PLUGIN_CA: api.caPem, PLUGIN_MANIFESTS: 'cm.yaml' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /rejected the credentials of the token of settings.token \(401 Unauthorized\)/);
    assert.doesNotMatch(r.out, /not-a-valid-token-at-all/);
  });

  it('refuses an untrusted certificate unless insecure_skip_tls_verify, which warns', async () => {
    const ws = workspace({ 'cm.yaml': configMap('insecure', { a: '1' }) });
    const env = { PLUGIN_SERVER: api.url, PLUGIN_TOKEN: api.adminToken, PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'cm.yaml' };
    const refused = await deploy(ws, env);
    assert.equal(refused.code, 1, refused.out);
    assert.match(refused.stderr, /presented a certificate that is not trusted/);
    assert.match(refused.out, /hint: Give the cluster's CA certificate in settings.ca/);
    const insecure = await deploy(ws, { ...env, PLUGIN_INSECURE_SKIP_TLS_VERIFY: 'true' });
    assert.equal(insecure.code, 0, insecure.out);
    assert.match(insecure.stderr, /warning: insecure_skip_tls_verify is on/);
  });

  it('checks the certificate against the kubeconfig tls-server-name, not the host of server', async () => {
    const ws = workspace({ 'cm.yaml': configMap('by-server-name', { a: '1' }) });
    const env = (name: string) => ({ PLUGIN_KUBECONFIG: withCluster(api.kubeconfig(), { 'tls-server-name': name }), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'cm.yaml' });
    const wrong = await deploy(ws, env('api.cluster.invalid'));
    assert.equal(wrong.code, 1, wrong.out);
    assert.match(wrong.stderr, /the API server https:\/\/127.0.0.1:\d+ \(as api.cluster.invalid\) presented a certificate that is not trusted: .*api.cluster.invalid/);
    const right = await deploy(ws, env('localhost'));
    assert.equal(right.code, 0, right.out);
  });

  it('goes through the kubeconfig proxy-url (HTTP CONNECT), and refuses a socks5 one', async () => {
    const tunnels: string[] = [];
    const proxy = createServer();
    proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const ws = workspace({ 'cm.yaml': configMap('by-proxy', { a: '1' }) });
      const r = await deploy(ws, { PLUGIN_KUBECONFIG: withCluster(api.kubeconfig(), { 'proxy-url': proxyUrl }), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'cm.yaml' });
      assert.equal(r.code, 0, r.out);
      assert.deepEqual([...new Set(tunnels)], [new URL(api.url).host]);
      assert.ok(live('/api/v1/namespaces/demo/configmaps/by-proxy'));

      const closed = await deploy(ws, { PLUGIN_KUBECONFIG: withCluster(api.kubeconfig(), { 'proxy-url': 'http://ci:proxy-pass-9f3k@127.0.0.1:1' }), PLUGIN_MANIFESTS: 'cm.yaml' });
      assert.equal(closed.code, 1, closed.out);
      // Part of a secret (the kubeconfig), the proxy URL is masked whole, not only its password.
      assert.match(closed.stderr, /cannot reach the API server https:\/\/127.0.0.1:\d+ through the proxy \S+: ECONNREFUSED/);
      assert.doesNotMatch(closed.out, /proxy-pass-9f3k/);

      const socks = await deploy(ws, { PLUGIN_KUBECONFIG: withCluster(api.kubeconfig(), { 'proxy-url': 'socks5://127.0.0.1:1080' }), PLUGIN_MANIFESTS: 'cm.yaml' });
      assert.equal(socks.code, 1, socks.out);
      assert.match(socks.stderr, /the kubeconfig cluster "kube-emulator" has a socks5 proxy-url; this plugin speaks to http and https proxies only/);
    } finally {
      proxy.close();
    }
  });

  it('says when the server cannot be reached', async () => {
    const r = await deploy(workspace({ 'cm.yaml': configMap('x', { a: '1' }) }), { PLUGIN_SERVER: 'https://127.0.0.1:1', PLUGIN_TOKEN: 'abcdefgh', PLUGIN_MANIFESTS: 'cm.yaml' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /cannot reach the API server https:\/\/127.0.0.1:1: ECONNREFUSED/);
  });
});

describe('manifests and validation', () => {
  it('points at the file and line of invalid YAML', async () => {
    const ws = workspace({ 'a.yaml': `${configMap('ok', { a: '1' })}---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bad\n data: x\n` });
    const r = await deploy(ws, { ...admin(), PLUGIN_MANIFESTS: 'a.yaml' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /a.yaml:12: invalid YAML: bad indentation/);
  });

  it('fails on a missing template variable with file and line, and keeps $${VAR}', async () => {
    const ws = workspace({ 'a.yaml': configMap('tpl', { a: '$${KEEP}' }), 'b.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tpl2\ndata:\n  a: \${NOT_SET}\n` });
    const r = await deploy(ws, { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'a.yaml,b.yaml' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /template "b.yaml": line 6, column \d+: variable NOT_SET is not set/);
    const ok = await deploy(ws, { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'a.yaml' });
    assert.equal(ok.code, 0, ok.out);
    assert.equal(live('/api/v1/namespaces/demo/configmaps/tpl')?.data.a, '${KEEP}');
  });

  it('renders Handlebars with the build and vars, and the inline {type, data} template', async () => {
    const ws = workspace({});
    const template = JSON.stringify({ type: 'yaml', data: configMap('hbs', { build: '{{build.number}}', branch: '{{build.branch}}', tag: '{{vars.tag}}' }) });
    const r = await deploy(ws, { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_TEMPLATE: template, PLUGIN_VARS: '{"tag":"v1"}', DRONE_BUILD_NUMBER: '42', DRONE_COMMIT_BRANCH: 'main' });
    assert.equal(r.code, 0, r.out);
    assert.deepEqual(live('/api/v1/namespaces/demo/configmaps/hbs')?.data, { build: '42', branch: 'main', tag: 'v1' });
  });

  it('rejects an unknown kind before sending anything', async () => {
    const ws = workspace({ 'w.yaml': `${configMap('before-widget', { a: '1' })}---\napiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n` });
    const r = await deploy(ws, { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'w.yaml' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /w.yaml:8: unknown kind Widget \(apiVersion example.com\/v1\)/);
    assert.equal(live('/api/v1/namespaces/demo/configmaps/before-widget'), undefined);
  });

  it('shows a strict-validation error at the field, and applies nothing', async () => {
    const ws = workspace({ 'd.yaml': `${configMap('not-yet', { a: '1' })}---\n${deployment('typo').replace('  replicas: 2', '  replicas: 2\n  replicaz: 3')}` });
    const r = await deploy(ws, { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'd.yaml' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /d.yaml:14: dry-run apply deployment.apps\/typo in namespace demo: .spec.replicaz: field not declared in schema/);
    assert.equal(live('/api/v1/namespaces/demo/configmaps/not-yet'), undefined);
  });

  it('refuses an object in another namespace unless allowed', async () => {
    const ws = workspace({ 'cm.yaml': configMap('elsewhere', { a: '1' }, '  namespace: other\n') });
    const refused = await deploy(ws, { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'cm.yaml' });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /cm.yaml:5: configmap\/elsewhere names namespace "other", but settings.namespace is "demo"/);
    const allowed = await deploy(ws, { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_ALLOW_NAMESPACE_OVERRIDE: 'true', PLUGIN_MANIFESTS: 'cm.yaml' });
    assert.equal(allowed.code, 0, allowed.out);
    assert.ok(live('/api/v1/namespaces/other/configmaps/elsewhere'));
  });

  it('applies a CRD and its custom resources in one go, Namespace first', async () => {
    const ns = uniqueNs();
    const ws = workspace({
      'all.yaml': `apiVersion: ord.example.com/v1
kind: Sprocket
metadata:
  name: cog
spec:
  teeth: 12
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: sprockets.ord.example.com
spec:
  group: ord.example.com
  scope: Namespaced
  names: {plural: sprockets, singular: sprocket, kind: Sprocket, listKind: SprocketList}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, x-kubernetes-preserve-unknown-fields: true}
---
apiVersion: v1
kind: Namespace
metadata:
  name: ${ns}
`,
    });
    const r = await deploy(ws, { ...admin(), PLUGIN_NAMESPACE: ns, PLUGIN_MANIFESTS: 'all.yaml' });
    assert.equal(r.code, 0, r.out);
    const order = r.stdout.split('\n').filter((l) => / created$/.test(l));
    assert.deepEqual(order, [`namespace/${ns} created`, 'customresourcedefinition.apiextensions.k8s.io/sprockets.ord.example.com created', 'sprocket.ord.example.com/cog created']);
    assert.equal(live(`/apis/ord.example.com/v1/namespaces/${ns}/sprockets/cog`)?.spec.teeth, 12);
  });

  it('reports a field conflict with its owner when force_conflicts is off', async () => {
    const ws = workspace({ 'cm.yaml': configMap('shared-settings', { timeout: '60s' }) });
    const other = await deploy(workspace({ 'cm.yaml': configMap('shared-settings', { timeout: '30s' }) }), { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'cm.yaml', PLUGIN_FIELD_MANAGER: 'other' });
    assert.equal(other.code, 0, other.out);
    const r = await deploy(ws, { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'cm.yaml', PLUGIN_FORCE_CONFLICTS: 'false' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /cm.yaml:6: dry-run apply configmap\/shared-settings in namespace demo: conflict: .data.timeout is owned by field manager "other"/);
    assert.match(r.out, /hint: Set force_conflicts: true/);
    const forced = await deploy(ws, { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'cm.yaml' });
    assert.equal(forced.code, 0, forced.out);
    assert.equal(live('/api/v1/namespaces/demo/configmaps/shared-settings')?.data.timeout, '60s');
  });
});

describe('dry run, diff, prune, restart, set_image', () => {
  it('dry_run validates on the server, says what would change, and changes nothing', async () => {
    const ws = workspace({ 'a.yaml': `${configMap('dry-a', { a: '1' })}---\n${configMap('dry-b', { b: '1' })}` });
    const env = { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'a.yaml' };
    assert.equal((await deploy(workspace({ 'a.yaml': configMap('dry-a', { a: '1' }) }), env)).code, 0);
    const r = await deploy(ws, { ...env, PLUGIN_DRY_RUN: 'true' });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /^configmap\/dry-a unchanged \(dry run\)$/m);
    assert.match(r.stdout, /^configmap\/dry-b created \(dry run\)$/m);
    assert.equal(live('/api/v1/namespaces/demo/configmaps/dry-b'), undefined);

    const ns = uniqueNs();
    const fresh = await deploy(ws, { ...env, PLUGIN_NAMESPACE: ns, PLUGIN_CREATE_NAMESPACE: 'true', PLUGIN_DRY_RUN: 'true' });
    assert.equal(fresh.code, 0, fresh.out);
    assert.match(fresh.stdout, new RegExp(`^namespace/${ns} created \\(dry run\\)$`, 'm'));
    assert.match(fresh.stdout, new RegExp(`^configmap/dry-a not validated: namespace ${ns} is created by this apply \\(dry run\\)$`, 'm'));
    assert.equal(live(`/api/v1/namespaces/${ns}`), undefined);
  });

  it('diff shows changed lines and never Secret values', async () => {
    // data, not stringData: the emulator's dry run writes stringData through to the stored Secret.
    const secret = (pw: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: ${Buffer.from(pw).toString('base64')}\n  user: YWRtaW4=\n`;
    const env = { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'a.yaml' };
    assert.equal((await deploy(workspace({ 'a.yaml': `${secret('first-s3cret')}---\n${configMap('diffed', { level: 'info' })}` }), env)).code, 0);
    const r = await deploy(workspace({ 'a.yaml': `${secret('second-s3cret')}---\n${configMap('diffed', { level: 'debug' })}` }), { ...env, PLUGIN_DIFF: 'true' });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /--- configmap\/diffed \(live\)\n\+\+\+ configmap\/diffed \(after apply\)/);
    assert.match(r.stdout, /^- {3}level: info$/m);
    assert.match(r.stdout, /^\+ {3}level: debug$/m);
    assert.match(r.stdout, /password: '\*{8} \(after\)'/);
    assert.match(r.stdout, /user: '\*{8}'/);
    assert.doesNotMatch(r.out, /s3cret|c2Vjb25kLXMzY3JldA|Zmlyc3QtczNjcmV0|YWRtaW4/);
    assert.match(r.stdout, /^secret\/db configured$/m);
  });

  it('prunes labelled objects that left the manifests, only in applied namespaces, dry-run aware', async () => {
    const label = '  labels: {sortie.dev/app: shop}\n';
    const env = { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'a.yaml', PLUGIN_PRUNE: 'true', PLUGIN_PRUNE_LABEL: 'sortie.dev/app=shop' };
    assert.equal((await deploy(workspace({ 'a.yaml': `${configMap('keep', { a: '1' }, label)}---\n${configMap('drop', { a: '1' }, label)}` }), env)).code, 0);
    const elsewhere = await deploy(workspace({ 'a.yaml': configMap('drop', { a: '1' }, label) }), { ...admin(), PLUGIN_NAMESPACE: 'other', PLUGIN_MANIFESTS: 'a.yaml' });
    assert.equal(elsewhere.code, 0);
    const ws = workspace({ 'a.yaml': configMap('keep', { a: '1' }, label) });
    const dry = await deploy(ws, { ...env, PLUGIN_DRY_RUN: 'true' });
    assert.equal(dry.code, 0, dry.out);
    assert.match(dry.stdout, /^configmap\/drop \(namespace demo\) pruned \(dry run\)$/m);
    assert.ok(live('/api/v1/namespaces/demo/configmaps/drop'));
    const r = await deploy(ws, env);
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /^configmap\/drop \(namespace demo\) pruned$/m);
    assert.equal(live('/api/v1/namespaces/demo/configmaps/drop'), undefined);
    assert.ok(live('/api/v1/namespaces/demo/configmaps/keep'));
    assert.ok(live('/api/v1/namespaces/other/configmaps/drop'), 'never prunes in a namespace this apply did not touch');
  });

  it('restart stamps restartedAt and waits for the new rollout', async () => {
    const ws = workspace({ 'd.yaml': deployment('restarted', { replicas: 1 }) });
    const env = { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'd.yaml' };
    assert.equal((await deploy(ws, env)).code, 0);
    const r = await deploy(ws, { ...env, PLUGIN_RESTART: 'true' });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /^deployment.apps\/restarted configured$/m);
    assert.match(r.stdout, /successfully rolled out/);
    const d = live('/apis/apps/v1/namespaces/demo/deployments/restarted');
    assert.ok(d?.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']);
    assert.equal(d?.metadata.generation, 2);
  });

  it('set_image updates an existing Deployment without a manifest', async () => {
    assert.equal((await deploy(workspace({ 'd.yaml': deployment('imaged', { replicas: 1 }) }), { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'd.yaml' })).code, 0);
    const r = await deploy(workspace({}), { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_DEPLOYMENT: 'imaged', PLUGIN_REPO: 'nginx', PLUGIN_TAG: '1.28,latest' });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /deployment.apps\/imaged image set to nginx:1.28/);
    assert.match(r.stderr, /settings.tag has several values; using the first, 1.28/);
    assert.match(r.stdout, /successfully rolled out/);
    assert.equal(live('/apis/apps/v1/namespaces/demo/deployments/imaged')?.spec.template.spec.containers[0].image, 'nginx:1.28');
  });
});

describe('waiting', () => {
  it('fails fast on ImagePullBackOff and says why', async () => {
    const ws = workspace({ 'd.yaml': deployment('broken', { replicas: 1, fault: 'image-pull-backoff', image: 'registry.example.com/team/api:9.9.9-missing' }) });
    const r = await deploy(ws, { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'd.yaml' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /deployment.apps\/broken failed: broken-\S+ \(container app\): ImagePullBackOff: Back-off pulling image "registry.example.com\/team\/api:9.9.9-missing"/);
    assert.match(r.stdout, /event pod\/broken-\S+: Failed: /);

    // The fix: the old revision's pod still fails while the new one rolls out, and must not count.
    const fixed = await deploy(workspace({ 'd.yaml': deployment('broken', { replicas: 1 }) }), { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'd.yaml' });
    assert.equal(fixed.code, 0, fixed.out);
    assert.match(fixed.stdout, /deployment.apps\/broken successfully rolled out/);
  });

  it('reports CrashLoopBackOff and OOMKilled with the last exit', async () => {
    const ws = workspace({ 'd.yaml': deployment('crashy', { replicas: 1, fault: 'oom-killed' }) });
    const r = await deploy(ws, { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'd.yaml' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /CrashLoopBackOff: back-off \d+s restarting failed container=app .*; last exit: OOMKilled \(exit code 137\)/);
  });

  it('times out with a progress report, and rolls back when asked', async () => {
    const env = { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'd.yaml' };
    assert.equal((await deploy(workspace({ 'd.yaml': deployment('slow', { replicas: 1 }) }), env)).code, 0);
    const ws = workspace({ 'd.yaml': deployment('slow', { replicas: 1, fault: 'stall', image: 'nginx:1.28' }) });
    const r = await deploy(ws, { ...env, PLUGIN_TIMEOUT: '2s', PLUGIN_ROLLBACK_ON_FAILURE: 'true' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /deployment.apps\/slow did not finish within 2 s: /);
    assert.match(r.out, /hint: If the rollout is just slow, raise settings.timeout./);
    assert.match(r.stdout, /deployment.apps\/slow rolled back to revision 1/);
    assert.equal(live('/apis/apps/v1/namespaces/demo/deployments/slow')?.spec.template.spec.containers[0].image, 'nginx:1.27');
  });

  it('waits for StatefulSets and DaemonSets, and fails on ProgressDeadlineExceeded', async () => {
    const workload = (kind: 'StatefulSet' | 'DaemonSet', name: string) => {
      const d = deployment(name, { replicas: 1 }).replace('kind: Deployment', `kind: ${kind}`);
      return kind === 'DaemonSet' ? d.replace('  replicas: 1\n', '') : d.replace('  replicas: 1\n', `  replicas: 1\n  serviceName: ${name}\n`);
    };
    const ws = workspace({ 'w.yaml': `${workload('StatefulSet', 'db')}---\n${workload('DaemonSet', 'agent')}` });
    const r = await deploy(ws, { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'w.yaml' });
    assert.equal(r.code, 0, r.out);
    assert.match(r.stdout, /statefulset.apps\/db roll out complete/);
    assert.match(r.stdout, /daemonset.apps\/agent successfully rolled out/);

    const stuck = deployment('deadline', { replicas: 1, fault: 'progress-deadline' }).replace('  replicas: 1', '  replicas: 1\n  progressDeadlineSeconds: 1');
    const failed = await deploy(workspace({ 'd.yaml': stuck }), { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'd.yaml' });
    assert.equal(failed.code, 1, failed.out);
    assert.match(failed.stderr, /deployment.apps\/deadline failed: exceeded its progress deadline: ReplicaSet "deadline-\S+" has timed out progressing./);
  });

  it('waits for a Job to complete, and fails on a failed Job', async () => {
    const job = (name: string, fault = '') => `apiVersion: batch/v1
kind: Job
metadata:
  name: ${name}
spec:
  backoffLimit: 0
  template:
    metadata:${fault ? `\n      annotations: {emulator.sortie.dev/fault: ${fault}}` : ' {}'}
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: busybox:1.36
`;
    const ok = await deploy(workspace({ 'j.yaml': job('migrate') }), { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'j.yaml' });
    assert.equal(ok.code, 0, ok.out);
    assert.match(ok.stdout, /job.batch\/migrate complete/);
    const bad = await deploy(workspace({ 'j.yaml': job('migrate-bad', 'job-fail') }), { ...admin(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'j.yaml' });
    assert.equal(bad.code, 1, bad.out);
    assert.match(bad.stderr, /job.batch\/migrate-bad failed: failed: /);
  });
});

describe('the example app', () => {
  it('deploys, and the next build prunes the previous migration Job', async () => {
    const ws = workspace({});
    copyDemoManifests(ws);
    const first = await deploy(ws, { DRONE_COMMIT_SHA: 'c0ffee00', ...demoEnv(api.kubeconfig(), { buildNumber: 1 }) });
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.match(first.stdout, /deployment.apps\/web successfully rolled out/);
    assert.match(first.stdout, /job.batch\/migrate-1 complete/);
    const second = await deploy(ws, { DRONE_COMMIT_SHA: 'c0ffee01', ...demoEnv(api.kubeconfig(), { buildNumber: 2 }) });
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /^job.batch\/migrate-1 \(namespace shop\) pruned$/m);
    assert.match(second.stdout, /^\+ {3}BUILD: '2'$/m, 'the diff shows what the new build changes');
    assert.equal(live('/api/v1/namespaces/shop/configmaps/shop-config')?.data.BUILD, '2');
  });
});
