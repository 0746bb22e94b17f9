import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dump } from 'js-yaml';
import { type KubeApi, startKubeApi } from '../kube-api/server.ts';
import { runBundle } from '../support/run-bundle.ts';
import { workspace } from '../support/workspace.ts';
import { assertNoSecret } from '../support/secrets.ts';

const MASK = '********';
let api: KubeApi;
/** A loopback "API server" that answers every request with `answer`: a server quoting secrets back. */
let echo: Server;
let echoUrl: string;
let answer = { status: 400, body: '' };

before(async () => {
  api = await startKubeApi({ controllerIntervalMs: 20, namespaces: ['demo'] });
  echo = createServer((req, res) => {
    req.resume();
    res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body);
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
});
after(() => {
  api.close();
  echo.close();
});

async function deploy(ws: string, env: Record<string, string>) {
  const r = await runBundle('kubernetes', { DRONE_WORKSPACE: ws, PLUGIN_ENV_FILE: join(ws, 'no-env-file'), ...env }, { cwd: ws, timeoutMs: 60_000 });
  return { ...r, out: r.stdout + r.stderr };
}

const API_TOKEN = 'Zq9xWv3Kp7Lm2Nb8Rt4Yc6Hd';

/** A kubeconfig for the echo server whose other users and cluster hold every kind of credential. */
function hostileKubeconfig(token: string): string {
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'echo', cluster: { server: echoUrl } },
      { name: 'behind-proxy', cluster: { server: 'https://10.0.0.1:6443', 'proxy-url': 'http://proxyuser:Pr0xyPw%2FSl4sh%2fEsc@127.0.0.1:9' } },
    ],
    users: [
      { name: 'ci', user: { token } },
      {
        name: 'exec-user',
        user: {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1',
            command: 'credential-helper',
            args: ['--region', 'eu-west-1x', '--secret-arg=ExArgQ7w8e9', 'ExPlainArgR4t5'],
            env: [{ name: 'HELPER_KEY', value: 'ExEnvVal3u2i1' }],
          },
        },
      },
      { name: 'oidc-user', user: { 'auth-provider': { name: 'oidc', config: { 'client-secret': 'OidcCs8o7p6', 'id-token': 'OidcIdK5j4h3' } } } },
    ],
    contexts: [{ name: 'ci', context: { cluster: 'echo', user: 'ci' } }],
    'current-context': 'ci',
  });
}

const configMap = (name: string, data: Record<string, string>) =>
  `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n${Object.entries(data)
    .map(([k, v]) => `  ${k}: "${v}"`)
    .join('\n')}\n`;

describe('secrets in what the kubernetes plugin prints', () => {
  it('a template parse error quotes the masked template: no start of a substituted secret survives the 20-character cut', async () => {
    const ws = workspace({ 'k8s/cm.yaml': `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t\ndata:\n  a: {{foo "\${API_TOKEN}\n` });
    const r = await deploy(ws, { PLUGIN_KUBECONFIG: api.kubeconfig(), PLUGIN_MANIFESTS: 'k8s/', API_TOKEN });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /error: template "k8s\/cm\.yaml": line 6, column \d+: Parse error: /);
    assert.ok(r.stderr.includes(`{{foo "${MASK}`), r.stderr);
    assertNoSecret(r.out, API_TOKEN);
  });

  it("a Secret's values are registered before its manifest is rendered: a parse error further down cannot quote them", async () => {
    const value = 'Hx7Jk9Lm3Np5Qr';
    const ws = workspace({ 'secret.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: ${DB_VALUE}\n  user: {{oops\n' });
    const r = await deploy(ws, { PLUGIN_KUBECONFIG: api.kubeconfig(), PLUGIN_MANIFESTS: 'secret.yaml', DB_VALUE: value });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /error: template "secret\.yaml": line 7(, column \d+)?: Parse error: \.\.\.\*+ {2}user: \*{8}\n/);
    assertNoSecret(r.out, value);
  });

  it('a server body quoted in an error is masked before it is cut at 200 characters', async () => {
    answer = { status: 400, body: `${'x'.repeat(190)}${API_TOKEN} and more after it` };
    const ws = workspace({ 'cm.yaml': configMap('c', { a: 'b' }) });
    const r = await deploy(ws, { PLUGIN_KUBECONFIG: hostileKubeconfig(API_TOKEN), PLUGIN_MANIFESTS: 'cm.yaml' });
    assert.equal(r.code, 1, r.out);
    assert.ok(r.stderr.includes(`${'x'.repeat(190)}${MASK.slice(0, 10)}`), r.stderr);
    assertNoSecret(r.out, API_TOKEN);
  });

  it('an answer that is not JSON is quoted masked before it is cut at 200 characters', async () => {
    answer = { status: 200, body: `<html>${'x'.repeat(190)}${API_TOKEN}</html>` };
    const ws = workspace({ 'cm.yaml': configMap('c', { a: 'b' }) });
    const r = await deploy(ws, { PLUGIN_KUBECONFIG: hostileKubeconfig(API_TOKEN), PLUGIN_MANIFESTS: 'cm.yaml' });
    assert.equal(r.code, 1, r.out);
    assert.ok(r.stderr.includes(`not JSON (text/plain): <html>${'x'.repeat(190)}${MASK.slice(0, 4)}...`), r.stderr);
    assertNoSecret(r.out, API_TOKEN);
  });

  for (const encoding of ['YAML', 'base64']) {
    it(`every credential of a ${encoding} kubeconfig is masked: exec args and env, auth-provider config, proxy-url password in either escape case`, async () => {
      const quoted = {
        exec: ['ExArgQ7w8e9', 'ExPlainArgR4t5', 'ExEnvVal3u2i1'],
        oidc: ['OidcCs8o7p6', 'OidcIdK5j4h3'],
        proxy: ['Pr0xyPw/Sl4sh/Esc', 'Pr0xyPw%2FSl4sh%2fEsc', 'Pr0xyPw%2fSl4sh%2fEsc', 'Pr0xyPw%2FSl4sh%2FEsc'],
      };
      answer = { status: 400, body: Object.entries(quoted).map(([what, values]) => `${what}: ${values.join(' ')}`).join('; ') };
      const kubeconfig = hostileKubeconfig(API_TOKEN);
      const ws = workspace({ 'cm.yaml': configMap('c', { a: 'b' }) });
      const r = await deploy(ws, { PLUGIN_KUBECONFIG: encoding === 'YAML' ? kubeconfig : Buffer.from(kubeconfig).toString('base64'), PLUGIN_MANIFESTS: 'cm.yaml' });
      assert.equal(r.code, 1, r.out);
      // The server's words stay readable, and so does a flag name or a plain option value.
      assert.match(r.stderr, /exec: \*{8} \*{8} \*{8}; oidc: \*{8} \*{8}; proxy: \*{8} \*{8} \*{8} \*{8}/);
      for (const secret of [...Object.values(quoted).flat(), 'Pr0xyPw', 'Sl4sh']) assertNoSecret(r.out, secret);
    });
  }

  it('a Secret value of any YAML type (pin: 493817) is masked where the server quotes it back', async () => {
    const ws = workspace({ 'secret.yaml': 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: pins\nstringData:\n  pin: 493817\n' });
    const r = await deploy(ws, { PLUGIN_KUBECONFIG: api.kubeconfig(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'secret.yaml' });
    assert.equal(r.code, 1, r.out);
    assert.match(r.stderr, /secret\.yaml:6: dry-run apply secret\/pins in namespace demo: .*\*{8}/);
    assertNoSecret(r.out, '493817');
  });

  it('values computed from a secret variable (${TOKEN:0:8}, ${TOKEN^^}, upper, b64enc) are masked in the diff; plain values are shown', async () => {
    const ws = workspace({
      'cm.yaml': configMap('derived', { prefix: '${API_TOKEN:0:8}', upper: '${API_TOKEN^^}', helper: '{{upper "${API_TOKEN}"}}', b64: '{{b64enc "${API_TOKEN}"}}', plain: 'stays-readable' }),
    });
    const r = await deploy(ws, { PLUGIN_KUBECONFIG: api.kubeconfig(), PLUGIN_NAMESPACE: 'demo', PLUGIN_MANIFESTS: 'cm.yaml', PLUGIN_DIFF: 'true', API_TOKEN });
    assert.equal(r.code, 0, r.out);
    for (const key of ['prefix', 'upper', 'helper', 'b64']) assert.match(r.stdout, new RegExp(`^\\+ {3}${key}: ${RegExp.escape(MASK)}$`, 'm'));
    assert.match(r.stdout, /^\+ {3}plain: stays-readable$/m);
    for (const secret of [API_TOKEN, API_TOKEN.toUpperCase(), Buffer.from(API_TOKEN).toString('base64')]) assertNoSecret(r.out, secret);
  });
});
