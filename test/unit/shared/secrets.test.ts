import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger } from '../../../shared/log.ts';
import { Masker, maskSecretLookingEnv, masker } from '../../../shared/secrets.ts';

const SECRET = 's3cr3t-P@ss/word';

test('a secret is masked as is, JSON-escaped, URL-encoded and inside base64', () => {
  const m = new Masker();
  m.add(SECRET);
  const docker = Buffer.from(`user:${SECRET}`).toString('base64');
  const samples = [
    `password=${SECRET}`,
    JSON.stringify({ password: SECRET, nested: JSON.stringify({ p: SECRET }) }),
    `https://user:${encodeURIComponent(SECRET)}@registry.example.com/v2/`,
    `{"auths":{"r":{"auth":"${docker}"}}}`,
    Buffer.from(`xx${SECRET}`).toString('base64'),
    Buffer.from(`y${SECRET}`).toString('base64url'),
  ];
  for (const s of samples) assert.ok(!m.mask(s).includes(SECRET) && m.mask(s).includes('********'), `${s} -> ${m.mask(s)}`);
  // Nothing recognisable of the secret survives in base64 either.
  for (const pre of ['', 'x', 'xy']) {
    const b64 = Buffer.from(pre + SECRET).toString('base64');
    assert.notEqual(m.mask(b64), b64);
  }
});

test('multi-line secrets: their key material is masked line by line, their structure is not', () => {
  const m = new Masker();
  const pem = ['-----BEGIN EC PRIVATE KEY-----', 'MHcCAQEEIBkg4LVWM9nuwNSk3yByxZpYRTBnVJk5oImf/T8a9X8VoAoGCCqGSM49', '-----END EC PRIVATE KEY-----'];
  m.add(
    [
      'apiVersion: v1',
      'clusters:',
      '- cluster:',
      '    server: https://10.0.0.1:6443',
      '    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJkekNDQVIy',
      '  name: production-cluster',
      'users:',
      '- name: deployer',
      '  user:',
      '    token: "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.e30.c2lnbmF0dXJl"',
    ].join('\n'),
  );
  m.add(pem.join('\n'));
  assert.equal(m.mask('token: eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.e30.c2lnbmF0dXJl'), 'token: ********');
  assert.equal(m.mask(pem[1]!), '********');
  assert.equal(m.mask('certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJkekNDQVIy'), 'certificate-authority-data: ********');
  for (const plain of ['apiVersion: v1', 'server: https://10.0.0.1:6443', 'name: production-cluster', '-----END EC PRIVATE KEY-----']) {
    assert.equal(m.mask(plain), plain);
  }
});

test('short values are not masked, so ordinary words survive', () => {
  const m = new Masker();
  m.add('abc');
  assert.equal(m.mask('abc def'), 'abc def');
});

test('secret-looking environment variables are masked; Drone and CI variables are not', () => {
  const m = new Masker();
  maskSecretLookingEnv({ MY_API_TOKEN: 'tok-123456', DB_PASSWORD: 'pw-123456', DRONE_COMMIT_SHA: 'abcdef123456', HOME: '/root' }, m);
  assert.equal(m.mask('tok-123456 pw-123456 abcdef123456 /root'), '******** ******** abcdef123456 /root');
});

test('every log line goes through the masker, at every level', () => {
  masker.add('log-secret-value');
  const lines: string[] = [];
  const log = createLogger({ debug: true, out: (t) => lines.push(t), err: (t) => lines.push(t) });
  log.info('info log-secret-value');
  log.warn('warn log-secret-value');
  log.error('error log-secret-value');
  log.debug('debug log-secret-value');
  assert.deepEqual(lines, ['info ********\n', 'warning: warn ********\n', 'error: error ********\n', 'debug: debug ********\n']);
});
