import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connect } from '../../../plugins/kubernetes/auth.ts';
import { rules, settings } from '../../../plugins/kubernetes/settings.ts';
import { readSettings } from '../../../shared/settings/index.ts';

const registered: string[] = [];
const register = (secrets: Iterable<string | undefined>) => {
  for (const s of secrets) if (s) registered.push(s);
};
const base = { insecure_skip_tls_verify: false, service_account_dir: '/nonexistent' };
const kubeconfig = (user: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'c', cluster: { server: 'https://kube.example:6443/', 'certificate-authority-data': Buffer.from('CA PEM').toString('base64') } }],
    users: [{ name: 'u', user }],
    contexts: [
      { name: 'ci', context: { cluster: 'c', user: 'u', namespace: 'shop' } },
      { name: 'other', context: { cluster: 'c', user: 'u' } },
    ],
    'current-context': 'ci',
    ...extra,
  });

describe('connect', () => {
  it('reads a kubeconfig (JSON or YAML, raw or base64): server, CA, namespace, token header', async () => {
    for (const text of [kubeconfig({ token: 'tok-123456789' }), Buffer.from(kubeconfig({ token: 'tok-123456789' })).toString('base64')]) {
      const c = await connect({ ...base, kubeconfig: text }, {}, '/', register);
      assert.equal(c.server, 'https://kube.example:6443');
      assert.equal(c.ca?.toString(), 'CA PEM');
      assert.equal(c.namespace, 'shop');
      assert.equal(c.identity, 'kubeconfig context "ci" (user "u")');
      assert.deepEqual(await c.headers(), { authorization: 'Bearer tok-123456789' });
      assert.ok(registered.includes('tok-123456789'), 'the token in use is registered');
    }
  });

  it('picks settings.context and says which contexts exist when it is wrong', async () => {
    const c = await connect({ ...base, kubeconfig: kubeconfig({ token: 't-abcdefgh' }), context: 'other' }, {}, '/', register);
    assert.equal(c.namespace, undefined);
    await assert.rejects(connect({ ...base, kubeconfig: kubeconfig({ token: 't-abcdefgh' }), context: 'prod' }, {}, '/', register), (e: Error & { hint?: string }) => /no context "prod"/.test(e.message) && /ci, other/.test(e.hint ?? ''));
  });

  it('refuses auth providers it cannot run, and never echoes an invalid kubeconfig', async () => {
    await assert.rejects(connect({ ...base, kubeconfig: kubeconfig({ 'auth-provider': { name: 'oidc', config: {} } }) }, {}, '/', register), /auth-provider "oidc", which this plugin does not support/);
    await assert.rejects(connect({ ...base, kubeconfig: 'apiVersion: v1\nusers: [\n  token: sekrit-value' }, {}, '/', register), (e: Error) => /not a valid kubeconfig at line \d/.test(e.message) && !e.message.includes('sekrit'));
  });

  it('takes server + token; the declaration says it needs a credential', async () => {
    const c = await connect({ ...base, server: 'kube.example:6443', token: ' t0ken-value\n', ca: Buffer.from('-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----').toString('base64') }, {}, '/', register);
    assert.equal(c.server, 'https://kube.example:6443');
    assert.match(c.ca!.toString(), /^-----BEGIN CERTIFICATE-----/);
    assert.deepEqual(await c.headers(), { authorization: 'Bearer t0ken-value' });
    assert.throws(() => readSettings(settings, { PLUGIN_SERVER: 'https://k', PLUGIN_MANIFESTS: 'k8s/' }, { rules }), /^SettingsError: settings\.server needs settings\.token or settings\.client_cert\./);
    assert.throws(() => readSettings(settings, { PLUGIN_SERVER: 'https://k', PLUGIN_CLIENT_CERT: 'c', PLUGIN_MANIFESTS: 'k8s/' }, { rules }), /settings\.client_cert is set but settings\.client_key is not/);
    assert.throws(() => readSettings(settings, { PLUGIN_TOKEN: 't', PLUGIN_MANIFESTS: 'k8s/' }, { rules }), /^SettingsError: settings\.token needs settings\.server or settings\.kubeconfig\./);
    assert.doesNotThrow(() => readSettings(settings, { PLUGIN_KUBECONFIG: 'apiVersion: v1', PLUGIN_TOKEN: 't', PLUGIN_MANIFESTS: 'k8s/' }, { rules }));
  });

  it('the declaration checks that ca, client_cert and client_key are PEM, as is or in base64, without quoting the key', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nx\n-----END CERTIFICATE-----';
    const env = { PLUGIN_SERVER: 'https://k', PLUGIN_MANIFESTS: 'k8s/' };
    assert.doesNotThrow(() => readSettings(settings, { ...env, PLUGIN_CA: pem, PLUGIN_CLIENT_CERT: Buffer.from(pem).toString('base64'), PLUGIN_CLIENT_KEY: pem }, { rules }));
    assert.throws(
      () => readSettings(settings, { ...env, PLUGIN_CA: 'not a cert', PLUGIN_CLIENT_CERT: 'Y2VydA==', PLUGIN_CLIENT_KEY: 'k3y-s3cr3t-value' }, { rules }),
      (e: Error) =>
        ['ca', 'client_cert', 'client_key'].every((n) => e.message.includes(`settings.${n}: expected PEM (starting with -----BEGIN) or base64-encoded PEM`)) && !e.message.includes('k3y-s3cr3t'),
    );
  });

  it('uses the in-cluster service account from the overridable directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sortie-sa-'));
    const claims = Buffer.from(JSON.stringify({ sub: 'system:serviceaccount:shop:deployer' })).toString('base64url');
    writeFileSync(join(dir, 'token'), `eyJhbGciOiJSUzI1NiJ9.${claims}.sig`);
    writeFileSync(join(dir, 'namespace'), 'shop\n');
    writeFileSync(join(dir, 'ca.crt'), 'CA');
    const c = await connect({ ...base, service_account_dir: dir }, { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' }, '/', register);
    assert.equal(c.server, 'https://[fd00::1]:443');
    assert.equal(c.namespace, 'shop');
    assert.equal(c.identity, 'the in-cluster service account system:serviceaccount:shop:deployer');
    assert.match((await c.headers()).authorization!, /^Bearer eyJ/);
    await assert.rejects(connect(base, {}, '/', register), /no cluster to deploy to/);
  });
});
