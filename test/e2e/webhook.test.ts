import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createPki } from '../kube-api/tls.ts';
import { type WebhookStandIn, startWebhookStandIn } from '../components/webhook/server.ts';
import { droneBuildEnv, droneStepEnv, failedRunnerStatusFile } from '../support/drone-env.ts';
import { runBundle } from '../support/run-bundle.ts';
import { assertNoSecret } from '../support/secrets.ts';
import { assertRefused } from '../support/settings-refused.ts';

const SIGNING_KEY = 'Jq7vR2mXk9Pz4WbT';
const TOKEN = 'Vn3Qy8LcZ5rH1sKd';

let hook: WebhookStandIn;
let workspace: string;
before(async () => {
  hook = await startWebhookStandIn();
});
after(() => hook.close());
beforeEach(() => {
  hook.received.length = 0;
  workspace = mkdtempSync(join(tmpdir(), 'webhook-ws-'));
});

function run(settings: Record<string, string>, extra: Record<string, string> = {}) {
  return runBundle('webhook', { ...droneStepEnv(workspace), ...settings, ...extra });
}

function noSecretsIn(output: string, ...secrets: string[]) {
  for (const secret of [hook.hookToken, ...secrets]) assertNoSecret(output, secret);
}

/** drone-webhook's body for droneBuildEnv, as Go's json.Encoder writes it. */
const DEFAULT_BODY =
  '{"repo":{"owner":"octocat","name":"hello-world"},"build":{"tag":"","event":"push","number":42,"commit":"7fd1a60b01f91b314f59955a4e4d4e80d8edf11d",' +
  '"ref":"refs/heads/main","branch":"main","author":"octocat","message":"Merge \'x\' \\u003cy\\u003e \\u0026 \\"z\\"\\n\\nThe body.","status":"success",' +
  '"link":"https://drone.example.com/octocat/hello-world/42","started":1700000000,"created":1700000000}}\n';

describe('webhook', () => {
  test("the default body, byte for byte as plugins/webhook sends it; the URL's token is never printed", async () => {
    const r = await run({ PLUGIN_URLS: hook.hookUrl });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'the webhook: HTTP 200\nsent the success notification to the webhook\n');
    assert.equal(hook.received.length, 1);
    const got = hook.received[0]!;
    assert.equal(got.method, 'POST');
    assert.equal(got.headers['content-type'], 'application/json');
    assert.equal(got.raw, DEFAULT_BODY);
    noSecretsIn(r.stdout + r.stderr);
  });

  test("a failure read from the runner's status file is reported as a failure", async () => {
    const statusFile = join(workspace, 'env');
    writeFileSync(statusFile, failedRunnerStatusFile);
    const r = await run({ PLUGIN_URLS: hook.hookUrl, PLUGIN_ENV_FILE: statusFile });
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(hook.received[0]!.raw) as { build: { status: string } }).build.status, 'failure');
    assert.match(r.stdout, /sent the failure notification/);
  });

  test('on: [failure] sends nothing for a success, and says why', async () => {
    const r = await run({ PLUGIN_URLS: hook.hookUrl, PLUGIN_ON: 'failure' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(hook.received.length, 0);
    assert.match(r.stdout, /nothing to send: the pipeline's outcome is success/);
  });

  test('failed_steps: only a failure of one of those steps sends', async () => {
    const skipped = await run({ PLUGIN_URLS: hook.hookUrl, PLUGIN_FAILED_STEPS: 'deploy-*' }, { DRONE_FAILED_STEPS: 'lint' });
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(skipped.stdout, /nothing to send: the failed steps \(lint\) are none of settings.failed_steps \(deploy-\*\)/);
    const sent = await run({ PLUGIN_URLS: hook.hookUrl, PLUGIN_FAILED_STEPS: 'deploy-*' }, { DRONE_FAILED_STEPS: 'lint,deploy-prod' });
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(hook.received.length, 1);
  });

  test('several urls, URL/WEBHOOK_URLS spellings, method, content_type, headers whose values hold "="', async () => {
    const r = await run(
      { PLUGIN_URL: `${hook.hookUrl}/a,${hook.hookUrl}/b`, PLUGIN_METHOD: 'put', PLUGIN_CONTENT_TYPE: 'text/plain', PLUGIN_HEADERS: 'X-Source=drone,X-Query=a=b&c=d', PLUGIN_TEMPLATE: 'build {{build.number}} {{build.status}}' },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(hook.received.map((q) => [q.method, q.path, q.raw]), [
      ['PUT', `/hooks/${hook.hookToken}/a`, 'build 42 success'],
      ['PUT', `/hooks/${hook.hookToken}/b`, 'build 42 success'],
    ]);
    assert.equal(hook.received[0]!.headers['x-query'], 'a=b&c=d');
    assert.equal(hook.received[0]!.headers['content-type'], 'text/plain');
    assert.match(r.stdout, /webhook 1 of 2: HTTP 200\nwebhook 2 of 2: HTTP 200\nsent the success notification to 2 webhooks/);
    const env = await run({ PLUGIN_TEMPLATE: '{"n": {{build.number}} }' }, { WEBHOOK_URLS: hook.hookUrl });
    assert.equal(env.code, 0, env.stderr);
    assert.equal(hook.received[2]!.raw, '{"n": 42 }');
  });

  test('template_failure for a failure, template for a success; from a workspace file', async () => {
    writeFileSync(join(workspace, 'body.json'), '{"text": "{{build.status}} on {{commit.branch}}"}');
    const settings = { PLUGIN_URLS: hook.hookUrl, PLUGIN_TEMPLATE: 'body.json', PLUGIN_TEMPLATE_FAILURE: '{"text": "broke: {{join \',\' build.failedSteps}}"}' };
    assert.equal((await run(settings)).code, 0);
    assert.equal((await run(settings, { DRONE_FAILED_STEPS: 'test,lint' })).code, 0);
    assert.deepEqual(hook.received.map((q) => q.raw), ['{"text": "success on main"}', '{"text": "broke: test,lint"}']);
  });

  test('a JSON template keeps a commit message with quotes and line breaks one valid string; other types are HTML-escaped', async () => {
    assert.equal((await run({ PLUGIN_URLS: hook.hookUrl, PLUGIN_TEMPLATE: '{"m": "{{build.message}}"}' })).code, 0);
    assert.equal((JSON.parse(hook.received[0]!.raw) as { m: string }).m, droneBuildEnv.DRONE_COMMIT_MESSAGE);
    assert.equal((await run({ PLUGIN_URLS: hook.hookUrl, PLUGIN_CONTENT_TYPE: 'text/html', PLUGIN_TEMPLATE: '<p>{{build.message.title}}</p>' })).code, 0);
    assert.equal(hook.received[1]!.raw, '<p>Merge &apos;x&apos; &lt;y&gt; &amp; &quot;z&quot;</p>');
  });

  test('signature_secret signs the exact body: sha256=<hex>, in signature_header', async () => {
    const signing = await startWebhookStandIn({ signatureSecret: SIGNING_KEY, signatureHeader: 'X-Hub-Signature-256' });
    try {
      const r = await run({ PLUGIN_URLS: signing.hookUrl, PLUGIN_SIGNATURE_SECRET: SIGNING_KEY, PLUGIN_SIGNATURE_HEADER: 'X-Hub-Signature-256', PLUGIN_DEBUG: 'true' });
      assert.equal(r.code, 0, r.stderr);
      const got = signing.received[0]!;
      assert.equal(got.headers['x-hub-signature-256'], `sha256=${createHmac('sha256', SIGNING_KEY).update(got.raw).digest('hex')}`);
      // debug shows the request, but neither the key nor the signature made with it.
      assert.match(r.stderr, /"X-Hub-Signature-256":"\(hidden\)"/);
      assert.ok(!r.stderr.includes(got.headers['x-hub-signature-256'] as string));
      noSecretsIn(r.stdout + r.stderr, SIGNING_KEY, signing.hookToken);
      const wrong = await run({ PLUGIN_URLS: signing.hookUrl, PLUGIN_SIGNATURE_SECRET: 'Zz9Yy8Xx7Ww6Vv', PLUGIN_SIGNATURE_HEADER: 'X-Hub-Signature-256' });
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /error: the webhook \(settings.urls\) answered HTTP 401: \{"error":"signature mismatch"\}/);
    } finally {
      await signing.close();
    }
  });

  test('token_value/token_type and username/password set Authorization; debug never prints it', async () => {
    const bearer = await startWebhookStandIn({ authorization: `Token ${TOKEN}` });
    const basic = await startWebhookStandIn({ authorization: `Basic ${Buffer.from('drone:Xw4Gp9Bz2Mq7Rt').toString('base64')}` });
    try {
      const r = await run({ PLUGIN_URLS: bearer.hookUrl, PLUGIN_TOKEN_VALUE: TOKEN, PLUGIN_TOKEN_TYPE: 'Token', PLUGIN_DEBUG: 'true' });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /"Authorization":"\(hidden\)"/);
      noSecretsIn(r.stdout + r.stderr, TOKEN, bearer.hookToken);
      const b = await run({ PLUGIN_URLS: basic.hookUrl, PLUGIN_USERNAME: 'drone', PLUGIN_DEBUG: 'true' }, { WEBHOOK_PASSWORD: 'Xw4Gp9Bz2Mq7Rt' });
      assert.equal(b.code, 0, b.stderr);
      noSecretsIn(b.stdout + b.stderr, 'Xw4Gp9Bz2Mq7Rt', Buffer.from('drone:Xw4Gp9Bz2Mq7Rt').toString('base64'), basic.hookToken);
    } finally {
      await bearer.close();
      await basic.close();
    }
  });

  test('a header that carries a credential is masked in debug output', async () => {
    const r = await run({ PLUGIN_URLS: hook.hookUrl, PLUGIN_HEADERS: '{"X-Api-Key": "Kf6Ds1Yh8Nc3Ue"}', PLUGIN_DEBUG: 'true' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(hook.received[0]!.headers['x-api-key'], 'Kf6Ds1Yh8Nc3Ue');
    noSecretsIn(r.stdout + r.stderr, 'Kf6Ds1Yh8Nc3Ue');
  });

  test('retries 429 (honouring Retry-After) and 503, then succeeds', async () => {
    hook.script([{ status: 429, headers: { 'retry-after': '0' } }, { status: 503, body: 'busy' }]);
    const r = await run({ PLUGIN_URLS: hook.hookUrl });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(hook.received.length, 3);
    assert.match(r.stdout, /HTTP 429; retrying/);
  });
});

describe('answers that fail the step', () => {
  test('a 500 after the retries fails the step with the server text (plugins/webhook passed it)', async () => {
    hook.script(Array.from({ length: 4 }, () => ({ status: 500, body: 'internal error: db down', headers: { 'retry-after': '0' } })));
    const r = await run({ PLUGIN_URLS: hook.hookUrl });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: the webhook \(settings.urls\) answered HTTP 500: internal error: db down/);
    noSecretsIn(r.stdout + r.stderr);
  });

  test('several urls: all are tried, and the error says which failed', async () => {
    const r = await run({ PLUGIN_URLS: `${hook.hookUrl},${hook.url}/hooks/wrong-token,http://127.0.0.1:1/x` });
    assert.equal(r.code, 1);
    assert.equal(hook.received.length, 2);
    assert.match(r.stderr, /error: 2 of 3 webhooks failed:\nerror: {3}webhook 2 of 3 \(settings.urls\) answered HTTP 404: \{"error":"no such hook"\}\nerror: {3}settings.urls: cannot reach webhook 3 of 3: POST http:\/\/127.0.0.1:1 failed: ECONNREFUSED/);
  });

  test('valid_response_codes: a listed code passes and is not retried; an unlisted 2xx fails', async () => {
    hook.script([{ status: 503, body: 'queued' }]);
    const ok = await run({ PLUGIN_URLS: hook.hookUrl, PLUGIN_VALID_RESPONSE_CODES: '200,503' });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(hook.received.length, 1);
    hook.script([{ status: 204 }]);
    const bad = await run({ PLUGIN_URLS: hook.hookUrl, PLUGIN_VALID_RESPONSE_CODES: '[200]' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /answered HTTP 204 with an empty body\n/);
    assert.match(bad.stdout, /hint: settings.valid_response_codes accepts only 200/);
  });

  test('skip_verify reaches a self-signed server that otherwise fails with a certificate error', async () => {
    const pki = createPki();
    const tls = await startWebhookStandIn({ tls: { cert: pki.serverCertPem, key: pki.serverKeyPem } });
    try {
      const refused = await run({ PLUGIN_URLS: tls.hookUrl });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /cannot reach the webhook: POST https:\/\/127.0.0.1:\d+ failed: UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
      const r = await run({ PLUGIN_URLS: tls.hookUrl, PLUGIN_SKIP_VERIFY: 'true' });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /warning: settings.skip_verify/);
      assert.equal(tls.received.length, 1);
    } finally {
      await tls.close();
      pki.dispose();
    }
  });

  test('a template error names the template and sends nothing', async () => {
    const r = await run({ PLUGIN_URLS: hook.hookUrl, PLUGIN_TEMPLATE: '{"a": "{{#if}}"}' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /settings.template/);
    assert.equal(hook.received.length, 0);
  });
});

describe('bad settings: one error naming each, nothing sent, no secret shown', () => {
  const cases: Array<[string, Record<string, string>, string[]]> = [
    ['no urls', {}, ['set settings.urls. Example: urls: [https://hooks.example.com/drone]']],
    ['a url that is not http(s)', { PLUGIN_URLS: 'http://127.0.0.1/hooks/T4sBq9Wd2Lx7Rk5M,ftp://x/y' }, ['settings.urls: item 2 is not an http(s) URL']],
    ['a username without a password', { PLUGIN_URLS: 'http://127.0.0.1:1/h', PLUGIN_USERNAME: 'drone' }, ['settings.username is set but settings.password is not: set them together, or none of them.']],
    ['a header without a name, a bad status code', { PLUGIN_URLS: 'http://127.0.0.1:1/h', PLUGIN_HEADERS: '=x', PLUGIN_VALID_RESPONSE_CODES: '200,ok' }, [
      'settings.headers: expected key=value pairs, "=x" has no key, got "=x". Example: headers: [X-Source=drone, "X-Query=a=b"]',
      'settings.valid_response_codes: "ok" is not an HTTP status code',
    ]],
    ['both token and basic auth', { PLUGIN_URLS: 'http://127.0.0.1:1/h', PLUGIN_USERNAME: 'u', PLUGIN_PASSWORD: 'Pm5Tb2Wc8Jr4Ex', PLUGIN_TOKEN_VALUE: TOKEN }, ['settings.username and settings.token_value exclude each other: set only one of them.']],
  ];
  for (const [name, settings, problems] of cases) {
    test(name, async () => {
      const r = await run(settings);
      assertRefused(r, problems);
      assert.equal(hook.received.length, 0);
      noSecretsIn(r.stdout + r.stderr, TOKEN, 'Pm5Tb2Wc8Jr4Ex');
    });
  }
});
