import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dump, load } from 'js-yaml';
import { type KubeApi, startKubeApi } from '../kube-api/server.ts';
import { runBundleMeasured } from '../support/run-measured.ts';

/** Hostile or mistaken input to the kubernetes plugin: refused early, clearly, in bounded time and memory. */
const MAX_RSS_MIB = 200;
const MAX_MS = 10_000;

let api: KubeApi;
before(async () => {
  api = await startKubeApi({
    namespaces: ['demo', 'other'],
    identities: [{ user: 'system:serviceaccount:demo:deployer', rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['demo'] }] }],
  });
});
after(() => api.close());

function workspace(files: Record<string, string | Buffer>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sortie-hostile-k8s-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

async function deploy(ws: string, env: Record<string, string>) {
  const r = await runBundleMeasured('kubernetes', { DRONE_WORKSPACE: ws, PLUGIN_ENV_FILE: join(ws, 'no-env-file'), ...env }, { cwd: ws });
  return { ...r, out: r.stdout + r.stderr };
}

/** Failed with exit 1, in bounded time and memory, and applied nothing. */
function refused(r: Awaited<ReturnType<typeof deploy>>, message: RegExp): void {
  assert.equal(r.code, 1, r.out);
  assert.match(r.stderr, message);
  assert.doesNotMatch(r.out, /unexpected failure/);
  assert.ok(r.ms < MAX_MS, `took ${Math.round(r.ms)} ms`);
  assert.ok(r.maxRssMiB < MAX_RSS_MIB, `peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
}

const admin = () => ({ PLUGIN_KUBECONFIG: api.kubeconfig(), PLUGIN_NAMESPACE: 'demo' });

/** Nine levels of ten aliases: 10^9 strings once expanded, a few hundred bytes written. */
const aliasBomb = [
  'apiVersion: v1',
  'kind: ConfigMap',
  'metadata: {name: laughs}',
  'data:',
  '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefghi'.split('').map((c, i) => {
    const p = 'abcdefghi'[i]!;
    return `  ${c}: &${c} [*${p},*${p},*${p},*${p},*${p},*${p},*${p},*${p},*${p},*${p}]`;
  }),
].join('\n');

describe('memory bounds', () => {
  it('a YAML alias bomb is refused naming the file and line', async () => {
    const ws = workspace({ 'k8s/ok.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fine}\n', 'k8s/bomb.yaml': `# billion laughs\n${aliasBomb}\n` });
    const r = await deploy(ws, { ...admin(), PLUGIN_MANIFESTS: 'k8s/' });
    refused(r, /^error: k8s\/bomb\.yaml:2: refused: it expands to more than 1,000,000 nodes once its aliases are expanded$/m);
    assert.equal(api.get('/api/v1/namespaces/demo/configmaps/fine'), undefined, 'nothing is applied');
  });

  it('a 50 MB manifest is refused before it is read', async () => {
    const big = Buffer.alloc(50 * 1024 * 1024, 'a');
    const ws = workspace({ 'huge.yaml': big });
    const r = await deploy(ws, { ...admin(), PLUGIN_MANIFESTS: 'huge.yaml' });
    refused(r, /^error: huge\.yaml is 50 MiB, more than the 16 MiB this plugin reads$/m);
  });

  it('a template that would render gigabytes stops at 50,000 block runs or 16 MiB of text, naming the file', async () => {
    const loop = (n: number) => `(split "," (repeat ${n} "a,"))`;
    const manifest = (body: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  x: "${body}"\n`;
    const manyRuns = await deploy(workspace({ 'rows.yaml': manifest(`{{#each ${loop(5000)}}}{{#each ${loop(5000)}}}{{repeat 100 "x"}}{{/each}}{{/each}}`) }), { ...admin(), PLUGIN_MANIFESTS: 'rows.yaml' });
    refused(manyRuns, /^error: template "rows\.yaml": it runs its blocks \(\{\{#each\}\} \.\.\.\) more than 50,000 times; rendering was stopped there$/m);
    const bigRows = await deploy(workspace({ 'big.yaml': manifest(`{{#each ${loop(100)}}}{{#each ${loop(100)}}}{{repeat 100000 "x"}}{{/each}}{{/each}}`) }), { ...admin(), PLUGIN_MANIFESTS: 'big.yaml' });
    refused(bigRows, /^error: template "big\.yaml": it renders to more than 16 MiB of text; rendering was stopped there$/m);
  });

  it('${VAR} substituted into gigabytes stops at 16 MiB, naming the file and line', async () => {
    const manifest = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata:\n  x: "${'${BIG}'.repeat(200_000)}"\n`;
    const r = await deploy(workspace({ 'vars.yaml': manifest }), { ...admin(), PLUGIN_MANIFESTS: 'vars.yaml', PLUGIN_VARS: JSON.stringify({ BIG: 'x'.repeat(1000) }) });
    refused(r, /^error: template "vars\.yaml": line 5, column \d+: stopped at \$\{BIG\}: it renders to more than 16 MiB of text/m);
  });
});

describe('clear errors', () => {
  it('invalid UTF-8 in a manifest names the file and line', async () => {
    const text = Buffer.concat([Buffer.from('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: latin}\ndata:\n  city: "'), Buffer.from([0x4d, 0xfc, 0x6e]), Buffer.from('chen"\n')]);
    const r = await deploy(workspace({ 'latin1.yaml': text }), { ...admin(), PLUGIN_MANIFESTS: 'latin1.yaml' });
    refused(r, /^error: latin1\.yaml:5: not valid UTF-8 \(byte 0xfc at byte 11 of the line\)$/m);
    assert.match(r.stdout, /^hint: Save the file as UTF-8/m);
  });

  it('a namespace mismatch points at the metadata.namespace line', async () => {
    const manifest = '# app config\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: elsewhere\n  labels: {app: web}\n  namespace: other\ndata: {a: "1"}\n';
    const r = await deploy(workspace({ 'cm.yaml': manifest }), { ...admin(), PLUGIN_MANIFESTS: 'cm.yaml' });
    refused(r, /^error: cm\.yaml:7: configmap\/elsewhere names namespace "other", but settings\.namespace is "demo"$/m);
  });

  it('a kubeconfig given as a path instead of its contents is recognised', async () => {
    for (const path of ['/root/.kube/config', '~/.kube/config', 'deploy/kubeconfig.yaml']) {
      const r = await deploy(workspace({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n' }), { PLUGIN_KUBECONFIG: path, PLUGIN_MANIFESTS: 'cm.yaml' });
      refused(r, /^error: settings\.kubeconfig holds a file path, not a kubeconfig$/m);
      assert.match(r.stdout, /hint: The setting takes the kubeconfig's contents/);
    }
  });

  it('a file the kubeconfig names is read bounded: a device or a missing file is named', async () => {
    const ws = workspace({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n' });
    for (const [path, message] of [
      ['/dev/zero', /^error: \/dev\/zero \(named by the kubeconfig\) is a device, not a file$/m],
      ['certs/missing-ca.crt', new RegExp(`^error: the kubeconfig names the file certs/missing-ca\\.crt, which does not exist \\(in ${ws}\\)$`, 'm')],
    ] as const) {
      const doc = load(api.kubeconfig()) as { clusters: Array<{ cluster: Record<string, string> }> };
      delete doc.clusters[0]!.cluster['certificate-authority-data'];
      doc.clusters[0]!.cluster['certificate-authority'] = path;
      refused(await deploy(ws, { PLUGIN_KUBECONFIG: dump(doc), PLUGIN_MANIFESTS: 'cm.yaml' }), message);
    }
  });

  it('an in-cluster token file ending in a newline is trimmed', async () => {
    const ws = workspace({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: from-sa}\ndata: {a: "1"}\n' });
    const saDir = join(ws, 'sa');
    await api.writeServiceAccountDir(saDir, 'demo', 'deployer');
    const token = readFileSync(join(saDir, 'token'), 'utf8');
    appendFileSync(join(saDir, 'token'), '\n');
    const { port, hostname } = new URL(api.url);
    const r = await deploy(ws, { KUBERNETES_SERVICE_HOST: hostname, KUBERNETES_SERVICE_PORT: port, PLUGIN_SERVICE_ACCOUNT_DIR: saDir, PLUGIN_MANIFESTS: 'cm.yaml', PLUGIN_NAMESPACE: 'demo' });
    assert.equal(r.code, 0, r.out);
    assert.ok(!r.out.includes(token.trim()), 'the token stays out of the log');
    assert.ok(api.get('/api/v1/namespaces/demo/configmaps/from-sa'));
  });

  it('an API server that answers 200 with an HTML page is named, with what it sent and a hint', async () => {
    const page = '<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>Corporate proxy: please sign in</body></html>';
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const r = await deploy(workspace({ 'cm.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n' }), {
        PLUGIN_SERVER: url,
        PLUGIN_TOKEN: 'sortie-test-token-0123456789',
        PLUGIN_MANIFESTS: 'cm.yaml',
      });
      refused(r, new RegExp(`^error: the API server ${url} answered HTTP 200 with something that is not JSON \\(text/html\\): <!DOCTYPE html> <html><head><title>Sign in</title>`, 'm'));
      assert.match(r.stdout, /^hint: An HTML page usually comes from a proxy, a login page or a load balancer/m);
      assert.ok(!r.out.includes('sortie-test-token-0123456789'));
    } finally {
      server.close();
    }
  });
});
