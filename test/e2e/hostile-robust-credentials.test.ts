import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { type KubeApi, startKubeApi } from '../kube-api/server.ts';
import { droneStepEnv } from '../support/drone-env.ts';
import { runBundle } from '../support/run-bundle.ts';
import { assertNoSecret } from '../support/secrets.ts';
import { assertRefused } from '../support/settings-refused.ts';

/**
 * Credential settings that cannot work are settings errors, found with every other one before a
 * file is read or a request sent: a token with no server to send it to, a certificate or key that
 * is not PEM.
 */
let api: KubeApi;
let workspace: string;
before(async () => {
  api = await startKubeApi({ namespaces: ['demo'] });
});
after(async () => {
  await api.close();
});
beforeEach(() => {
  api.requests.length = 0;
  workspace = mkdtempSync(join(tmpdir(), 'hostile-credentials-'));
  mkdirSync(join(workspace, 'k8s'));
  writeFileSync(join(workspace, 'k8s', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: creds\ndata:\n  a: "1"\n');
});
after(() => rmSync(workspace, { recursive: true, force: true }));

function deploy(env: Record<string, string>) {
  return runBundle('kubernetes', { ...droneStepEnv(workspace), ...env }, { cwd: workspace });
}

const KEY = 'c2VjcmV0LWtleS1tYXRlcmlhbC0wMTIzNDU2Nzg5';

describe('kubernetes credentials', () => {
  test("a token without a server (drone-kubernetes' spelling) is refused, naming both, where it used to be ignored", async () => {
    const r = await deploy({ PLUGIN_KUBERNETES_TOKEN: 'Zq9xWv3Kp7Lm2Nb8Rt4Yc6Hd', PLUGIN_MANIFESTS: 'k8s/' });
    assertRefused(r, ['settings.kubernetes_token needs settings.server or settings.kubeconfig. Example: server: https://kube.example.com:6443']);
    assertNoSecret(r.stdout + r.stderr, 'Zq9xWv3Kp7Lm2Nb8Rt4Yc6Hd');
  });

  test('a client certificate and key without a server are refused the same way', async () => {
    const pem = (kind: string) => `-----BEGIN ${kind}-----\nMIIB\n-----END ${kind}-----`;
    const r = await deploy({ PLUGIN_CLIENT_CERT: pem('CERTIFICATE'), PLUGIN_CLIENT_KEY: pem('PRIVATE KEY'), PLUGIN_MANIFESTS: 'k8s/' });
    assertRefused(r, [
      'settings.client_cert needs settings.server or settings.kubeconfig. Example: server: https://kube.example.com:6443',
      'settings.client_key needs settings.server or settings.kubeconfig. Example: server: https://kube.example.com:6443',
    ]);
  });

  test('with a kubeconfig, a token is no error (the kubeconfig is used) and the deploy goes on', async () => {
    const r = await deploy({ PLUGIN_KUBECONFIG: api.kubeconfig(), PLUGIN_TOKEN: 'unused-token-0123456789', PLUGIN_MANIFESTS: 'k8s/', PLUGIN_NAMESPACE: 'demo' });
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(api.get('/api/v1/namespaces/demo/configmaps/creds'));
  });

  test('a ca, client_cert or client_key that is not PEM is a settings problem, with the others, before anything is read or sent; the key is not quoted', async () => {
    const r = await deploy({
      PLUGIN_SERVER: api.url,
      PLUGIN_KUBERNETES_CERT: 'not a certificate',
      PLUGIN_CLIENT_CERT: 'bm90IGEgY2VydGlmaWNhdGU=',
      PLUGIN_CLIENT_KEY: KEY,
      PLUGIN_MANIFESTS: 'missing/',
      PLUGIN_TIMEOUT: '5 minutes',
    });
    assertRefused(r, [
      'settings.kubernetes_cert: expected PEM (starting with -----BEGIN) or base64-encoded PEM',
      'settings.client_cert: expected PEM (starting with -----BEGIN) or base64-encoded PEM',
      'settings.client_key: expected PEM (starting with -----BEGIN) or base64-encoded PEM',
      'settings.timeout: expected a duration, got "5 minutes". Example: timeout: 5m',
    ]);
    assertNoSecret(r.stdout + r.stderr, KEY);
    assert.equal(api.requests.length, 0, 'no request reached the API server');
  });
});
