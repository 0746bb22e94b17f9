import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseJsonText } from '../../../shared/json-text.ts';
import { createLogger } from '../../../shared/log.ts';
import { MASK, Masker, deriveSecret, excerpt, masker, secretLookingEnv } from '../../../shared/secrets.ts';

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

test('a secret shorter than 4 characters is masked wherever it stands as a whole word, and only there', () => {
  const m = new Masker();
  m.add('abc');
  assert.equal(m.mask('abc def'), '******** def');
  assert.equal(m.mask('https://hooks.slack.com/services/T0/B0/abc?x=abc'), 'https://hooks.slack.com/services/T0/B0/********?x=********');
  assert.equal(m.mask('abcdef xabc abc1 ábc'), 'abcdef xabc abc1 ábc');
});

test('a short secret inside a longer one does not leave the rest of the longer one readable', () => {
  const m = new Masker();
  m.add('abc');
  m.add('abc-defghij');
  assert.equal(m.mask('token abc-defghij'), 'token ********');
});

test('percent escapes match in either case', () => {
  const m = new Masker();
  m.add('pr0xy/pass:word');
  for (const shown of ['pr0xy%2Fpass%3Aword', 'pr0xy%2fpass%3aword', 'pr0xy%2Fpass%3aword']) assert.equal(m.mask(`u:${shown}@proxy`), 'u:********@proxy');
});

test('an excerpt is masked whole before it is cut: no start of a secret survives the cut', () => {
  const token = 'tok-0123456789abcdefghijklmnopqrstuvwxyz';
  masker.add(token);
  const body = `${'x'.repeat(195)}${token}`;
  const cut = excerpt(body, 200);
  assert.ok(!cut.includes('tok-') && !cut.includes('0123'), cut);
  assert.equal(cut, `${'x'.repeat(195)}${MASK.slice(0, 5)}...`);
  assert.equal(excerpt('short text', 200), 'short text');
});

test('maskAt says where a position moved to', () => {
  const m = new Masker();
  m.add('secret-value');
  assert.deepEqual(m.maskAt('a secret-value b', 15), { text: `a ${MASK} b`, at: 11 });
  assert.deepEqual(m.maskAt('a secret-value b', 5), { text: `a ${MASK} b`, at: 10 });
  assert.deepEqual(m.maskAt('a secret-value b', 1), { text: `a ${MASK} b`, at: 1 });
});

test('a value computed from a secret is a secret; one computed from plain text, or a count, is not', () => {
  masker.add('derive-me-secret');
  deriveSecret('derive-me-secret', 'DERIVE-ME-SECRET');
  deriveSecret('plain words', 'PLAIN WORDS');
  deriveSecret('derive-me-secret', 16);
  assert.equal(masker.mask('DERIVE-ME-SECRET PLAIN WORDS 16'), `${MASK} PLAIN WORDS 16`);
});

test('secret-looking environment variables are secrets; Drone and CI variables (but their git password), declared settings and switches are not', () => {
  const env = {
    MY_API_TOKEN: 'tok-123456',
    DB_PASSWORD: 'pw-123456',
    DRONE_COMMIT_SHA: 'abcdef123456',
    HOME: '/root',
    PLUGIN_ACCESS_KEY: 'AKIAEXAMPLE',
    SKIP_AUTH: 'true',
    DRONE_COMMIT_AUTHOR: 'octocat',
    DRONE_NETRC_PASSWORD: 'ghp-netrc-1',
    CI_NETRC_PASSWORD: 'wp-netrc-2',
  };
  assert.deepEqual(secretLookingEnv(env, (name) => name === 'PLUGIN_ACCESS_KEY'), ['tok-123456', 'pw-123456', 'ghp-netrc-1', 'wp-netrc-2']);
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

test('a JSON syntax error quotes the text around the error masked before it is cut', () => {
  const token = 'json-Tq7Wm3Zx9Kc5Vb1N';
  masker.add(token);
  for (const text of [`{"a": ${token}`, `{"a": "${token}`, `<html>${'x'.repeat(15)}${token}`]) {
    assert.throws(
      () => parseJsonText(text),
      (err: Error) => {
        for (let i = 0; i + 4 <= token.length; i++) assert.ok(!err.message.includes(token.slice(i, i + 4)), err.message);
        return err instanceof SyntaxError && /^(Unexpected token|Unterminated string)/.test(err.message);
      },
    );
  }
  assert.throws(() => parseJsonText('{"a": 1 "b"}'), { message: `Expected ',' or '}' after property value in JSON at position 8 near ${JSON.stringify('{"a": 1 "b"}')}` });
});

test('secrets of any size and number are masked in bounded time: 40 KB, 200 KB, 2,000 of them', async () => {
  const { randomBytes } = await import('node:crypto');
  const pem = (bytes: number) => `-----BEGIN CERTIFICATE-----\n${randomBytes(bytes).toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----`;
  const m = new Masker();
  const started = Date.now();
  const medium = randomBytes(30_000).toString('base64'); // 40 KB on one line
  const large = pem(150_000); // 200 KB over 3,000 lines
  const many = Array.from({ length: 2000 }, () => randomBytes(24).toString('hex'));
  for (const s of [medium, large, ...many]) m.add(s);
  for (const s of [medium, large, many[0]!, many[1999]!]) {
    for (const shown of [s, JSON.stringify(s), encodeURIComponent(s).replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase()), Buffer.from(`x${s}`).toString('base64')]) {
      const masked = m.mask(`value: ${shown} end`);
      assert.ok(masked.includes(MASK) && masked.length < 40 && !masked.includes(s.slice(0, 16)), masked.slice(0, 100));
    }
  }
  assert.equal(m.mask(large.split('\n')[5]!), MASK);
  const line = 'deployment.apps/app configured, 3/3 replicas ready after 12.3s in namespace production';
  for (let i = 0; i < 10_000; i++) assert.equal(m.mask(line), line);
  assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);
});

test('overlapping secrets are masked as one: no part of either is left beside the mask', () => {
  const m = new Masker();
  m.add('abcdefgh');
  m.add('efghijklmn');
  assert.equal(m.mask('x abcdefghijklmn y'), `x ${MASK} y`);
});

test('an excerpt of a huge text masks only what it shows, and no secret past its cut', () => {
  const m = new Masker();
  m.add('z'.repeat(1000));
  const secret = 'k3y-Material-0123456789';
  m.add(secret);
  // The first secret shrinks to the mask, pulling the second into the first 200 characters.
  const text = `${'z'.repeat(1000)}${secret.repeat(60)}${'x'.repeat(64 * 1024 * 1024)}`;
  const started = Date.now();
  const head = m.head(text, 200);
  assert.ok(head.more && !head.text.includes('k3y') && head.text.length <= 200, head.text);
  assert.ok(Date.now() - started < 1000, `took ${Date.now() - started} ms`);
});
