import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createPki } from '../kube-api/tls.ts';
import { type SmtpStandIn, startSmtpStandIn } from '../components/smtp/server.ts';
import { droneStepEnv, failedRunnerStatusFile } from '../support/drone-env.ts';
import { runBundle } from '../support/run-bundle.ts';
import { assertNoSecret } from '../support/secrets.ts';
import { assertRefused } from '../support/settings-refused.ts';

const PASSWORD = 'Hq8Wm3Zt6Lb1Vx';
const USER = 'drone@example.com';

const pki = createPki();
let caFile: string;
let starttls: SmtpStandIn;
let implicit: SmtpStandIn;
let workspace: string;
before(async () => {
  caFile = join(mkdtempSync(join(tmpdir(), 'email-ca-')), 'ca.pem');
  writeFileSync(caFile, pki.caPem);
  const cert = { cert: pki.serverCertPem, key: pki.serverKeyPem };
  const users = { [USER]: PASSWORD };
  starttls = await startSmtpStandIn({ tls: 'starttls', cert, users, refuse: ['ghost@example.com'] });
  implicit = await startSmtpStandIn({ tls: 'implicit', cert, users });
});
after(async () => {
  await starttls.close();
  await implicit.close();
  pki.dispose();
});
beforeEach(() => {
  starttls.received.length = 0;
  implicit.received.length = 0;
  workspace = mkdtempSync(join(tmpdir(), 'email-ws-'));
});

/** A step sending through the STARTTLS server, trusting the test CA as a step would with NODE_EXTRA_CA_CERTS. */
function run(settings: Record<string, string>, extra: Record<string, string> = {}) {
  return runBundle('email', {
    ...droneStepEnv(workspace),
    NODE_EXTRA_CA_CERTS: caFile,
    PLUGIN_HOST: '127.0.0.1',
    PLUGIN_PORT: String(starttls.port),
    PLUGIN_FROM: 'drone@example.com',
    PLUGIN_USERNAME: USER,
    PLUGIN_PASSWORD: PASSWORD,
    ...settings,
    ...extra,
  });
}

describe('email', () => {
  test('the default message over STARTTLS with AUTH: HTML with a plain-text part, to the recipients and the commit author', async () => {
    const r = await run({ PLUGIN_RECIPIENTS: 'team@example.com,ops@example.com', PLUGIN_FROM: 'Drone CI <drone@example.com>', PLUGIN_DEBUG: 'true' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, ['team@example.com', 'ops@example.com', 'octocat@github.com'].map((a) => `sent the success email to ${a}\n`).join(''));
    assert.deepEqual(starttls.received.map((m) => m.to), [['team@example.com'], ['ops@example.com'], ['octocat@github.com']]);
    const got = starttls.received[0]!;
    assert.equal(got.secure, true);
    assert.equal(got.user, USER);
    assert.equal(got.clientHostname, 'localhost');
    assert.equal(got.mail.subject, '[success] octocat/hello-world (main - 7fd1a60b)');
    assert.equal(got.mail.from?.text, '"Drone CI" <drone@example.com>');
    assert.match(String(got.mail.html), /Successful build #42/);
    assert.match(String(got.mail.html), /Merge &apos;x&apos; &lt;y&gt; &amp; &quot;z&quot;/);
    assert.match(got.mail.text ?? '', /SUCCESSFUL BUILD #42|Successful build #42/);
    assert.match(got.mail.text ?? '', /Merge 'x' <y> & "z"/);
    assert.match(r.stderr, /^debug: SMTP 127.0.0.1:\d+: STARTTLS required, login drone@example.com; to team@example.com, ops@example.com, octocat@github.com$/m);
    assertNoSecret(r.stdout + r.stderr, PASSWORD);
  });

  test("a failure read from the runner's status file; on: [failure] and failed_steps", async () => {
    const statusFile = join(workspace, 'env');
    writeFileSync(statusFile, failedRunnerStatusFile);
    const r = await run({ PLUGIN_RECIPIENTS: 'team@example.com', PLUGIN_RECIPIENTS_ONLY: 'true', PLUGIN_ENV_FILE: statusFile, PLUGIN_ON: 'failure' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(starttls.received.length, 1);
    assert.equal(starttls.received[0]!.mail.subject, '[failure] octocat/hello-world (main - 7fd1a60b)');
    assert.match(String(starttls.received[0]!.mail.html), /Failed build #42/);
    const skipped = await run({ PLUGIN_RECIPIENTS: 'team@example.com', PLUGIN_ON: 'failure' });
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.match(skipped.stdout, /nothing to send/);
    const steps = await run({ PLUGIN_RECIPIENTS: 'team@example.com', PLUGIN_FAILED_STEPS: 'deploy-*' }, { DRONE_FAILED_STEPS: 'test' });
    assert.match(steps.stdout, /nothing to send: the failed steps \(test\)/);
    assert.equal(starttls.received.length, 1);
  });

  test('implicit TLS: secure from the first byte; against a STARTTLS server it fails naming the port', async () => {
    const r = await run({ PLUGIN_PORT: String(implicit.port), PLUGIN_IMPLICIT_TLS: 'true', PLUGIN_RECIPIENTS: 'team@example.com', PLUGIN_RECIPIENTS_ONLY: 'true' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(implicit.received[0]!.secure, true);
    assert.equal(implicit.received[0]!.user, USER);
    const wrong = await run({ PLUGIN_IMPLICIT_TLS: 'true', PLUGIN_RECIPIENTS: 'team@example.com', PLUGIN_TIMEOUT: '3s' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^error: settings\.port: no TLS with 127\.0\.0\.1:\d+/);
    assert.equal(starttls.received.length, 0);
  });

  test('no_starttls sends in plain text to a server that offers STARTTLS (no login); from.address is read as from', async () => {
    const relay = await startSmtpStandIn({ tls: 'starttls', cert: { cert: pki.serverCertPem, key: pki.serverKeyPem } });
    try {
      const r = await run({ PLUGIN_PORT: String(relay.port), PLUGIN_USERNAME: '', PLUGIN_PASSWORD: '', PLUGIN_NO_STARTTLS: 'true', PLUGIN_FROM: '', 'PLUGIN_FROM.ADDRESS': 'ci@example.com', PLUGIN_RECIPIENTS: 'team@example.com', PLUGIN_RECIPIENTS_ONLY: 'true' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(relay.received[0]!.secure, false);
      assert.equal(relay.received[0]!.user, undefined);
      assert.equal(relay.received[0]!.from, 'ci@example.com');
    } finally {
      await relay.close();
    }
  });

  test('templates: subject and HTML body from a workspace file, with from.name and clienthostname', async () => {
    writeFileSync(join(workspace, 'mail.html'), '<h1>{{repo.name}} {{build.status}}</h1><p>by {{commit.author.name}} &mdash; {{#each build.failedSteps}}<b>{{this}}</b> {{/each}}</p>{{tag}}');
    const r = await run(
      { PLUGIN_RECIPIENTS: 'team@example.com', PLUGIN_RECIPIENTS_ONLY: 'true', PLUGIN_SUBJECT: 'Build {{build.number}} & {{build.status}}', PLUGIN_BODY: 'mail.html', 'PLUGIN_FROM.NAME': 'Drone', PLUGIN_CLIENTHOSTNAME: 'ci.example.com' },
      { DRONE_FAILED_STEPS: 'test,lint', DRONE_TAG: 'v1.0.0' },
    );
    assert.equal(r.code, 0, r.stderr);
    const got = starttls.received[0]!;
    assert.equal(got.mail.subject, 'Build 42 & failure');
    assert.equal(got.mail.from?.text, '"Drone" <drone@example.com>');
    assert.equal(got.clientHostname, 'ci.example.com');
    assert.equal(String(got.mail.html), '<h1>hello-world failure</h1><p>by The Octocat &mdash; <b>test</b> <b>lint</b> </p>v1.0.0');
    assert.match(got.mail.text ?? '', /HELLO-WORLD FAILURE\n\nby The Octocat — test lint/);
  });

  test('recipients_file, EMAIL_* variables, attachment(s); a missing attachment is left out with a warning', async () => {
    writeFileSync(join(workspace, 'recipients.txt'), '# the team\nqa@example.com\n\nteam@example.com\n');
    writeFileSync(join(workspace, 'report.txt'), 'all green\n');
    const r = await run(
      { PLUGIN_PASSWORD: '', PLUGIN_RECIPIENTS_FILE: 'recipients.txt', PLUGIN_RECIPIENTS_ONLY: 'true', PLUGIN_ATTACHMENT: 'report.txt', PLUGIN_ATTACHMENTS: 'missing.log' },
      { EMAIL_RECIPIENTS: 'team@example.com', EMAIL_PASSWORD: PASSWORD },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(starttls.received.map((m) => m.to[0]), ['team@example.com', 'qa@example.com']);
    assert.deepEqual(starttls.received[0]!.mail.attachments.map((a) => [a.filename, a.content.toString()]), [['report.txt', 'all green\n']]);
    assert.match(r.stderr, /warning: settings.attachments: missing.log does not exist; sent without it/);
  });
});

describe('temporary answers', () => {
  test('a 451 (greylisting) is retried after a pause, then the message goes', async () => {
    starttls.tempfail(2);
    const r = await run({ PLUGIN_RECIPIENTS: 'team@example.com', PLUGIN_RECIPIENTS_ONLY: 'true' });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /sending to team@example.com: the server answered 451 4.7.1 Greylisted, please try again later; retrying in 1 s \(attempt 2 of 4\)\n.*retrying in 2 s \(attempt 3 of 4\)\nsent the success email to team@example.com\n/);
    assert.equal(starttls.received.length, 1);
  });

  test('no retry past settings.timeout: the last answer is the error', async () => {
    starttls.tempfail(10);
    const r = await run({ PLUGIN_RECIPIENTS: 'team@example.com', PLUGIN_RECIPIENTS_ONLY: 'true', PLUGIN_TIMEOUT: '2s' });
    starttls.tempfail(0);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: 127.0.0.1:\d+ refused the recipient team@example.com from settings.recipients: the server answered 451 4.7.1 Greylisted/);
    assert.equal(starttls.received.length, 0);
  });
});

describe('errors: one clear error, nothing sent, the password never shown', () => {
  test("a wrong password gives the server's answer and names the setting", async () => {
    const r = await run({ PLUGIN_RECIPIENTS: 'team@example.com', PLUGIN_PASSWORD: 'Wrong7Pass2Word' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: settings.password: 127.0.0.1:\d+ refused the login of settings.username: the server answered 535 5.7.8 Authentication credentials invalid\n$/);
    assert.equal(starttls.received.length, 0);
    assertNoSecret(r.stdout + r.stderr, 'Wrong7Pass2Word');
  });

  test('a refused recipient is named with where it came from; the others still get the message', async () => {
    const r = await run({ PLUGIN_RECIPIENTS: 'ghost@example.com,team@example.com', PLUGIN_RECIPIENTS_ONLY: 'true' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: 127.0.0.1:\d+ refused the recipient ghost@example.com from settings.recipients: the server answered 550 5.1.1 <ghost@example.com>: Recipient address rejected/);
    assert.equal(r.stdout.split('\n')[0], 'sent the success email to team@example.com');
    assert.deepEqual(starttls.received.map((m) => m.to), [['team@example.com']]);
  });

  test('an untrusted certificate names the host and the way out; skip_verify sends', async () => {
    const untrusted = await run({ PLUGIN_RECIPIENTS: 'team@example.com' }, { NODE_EXTRA_CA_CERTS: '' });
    assert.equal(untrusted.code, 1);
    assert.match(untrusted.stderr, /error: settings.host: the TLS certificate of 127.0.0.1:\d+ is not trusted/);
    assert.match(untrusted.stdout, /skip_verify/);
    const r = await run({ PLUGIN_RECIPIENTS: 'team@example.com', PLUGIN_RECIPIENTS_ONLY: 'true', PLUGIN_SKIP_VERIFY: 'true' }, { NODE_EXTRA_CA_CERTS: '' });
    assert.equal(r.code, 0, r.stderr);
    assertNoSecret(untrusted.stdout + untrusted.stderr + r.stdout + r.stderr, PASSWORD);
  });

  test('a server without STARTTLS never gets the password', async () => {
    const plain = await startSmtpStandIn({ tls: 'none' });
    try {
      const r = await run({ PLUGIN_PORT: String(plain.port), PLUGIN_RECIPIENTS: 'team@example.com' });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error: settings.port: no TLS with 127.0.0.1:\d+/);
      assert.equal(plain.received.length, 0);
      assertNoSecret(r.stdout + r.stderr, PASSWORD);
    } finally {
      await plain.close();
    }
  });

  test('no server listening: the host is named', async () => {
    const r = await run({ PLUGIN_RECIPIENTS: 'team@example.com', PLUGIN_PORT: '1' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: settings.host: cannot reach the SMTP server 127.0.0.1:1/);
  });

  test('a server that never answers ends at settings.timeout', async () => {
    const net = await import('node:net');
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const r = await run({ PLUGIN_RECIPIENTS: 'team@example.com', PLUGIN_PORT: String((silent.address() as import('node:net').AddressInfo).port), PLUGIN_TIMEOUT: '2s' });
      assert.equal(r.code, 1);
      assert.ok(Date.now() - started < 6000, `took ${Date.now() - started} ms`);
      assert.match(r.stderr, /settings.timeout: 2s|settings.host/);
    } finally {
      silent.close();
    }
  });

  test('no recipients at all', async () => {
    const r = await run({ PLUGIN_RECIPIENTS_ONLY: 'true' });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /error: no one to send to/);
  });

  const cases: Array<[string, Record<string, string>, string[]]> = [
    ['no host, no sender', { PLUGIN_HOST: '', PLUGIN_FROM: '' }, ['set settings.host. Example: host: smtp.example.com', 'set settings.from. Example: from: drone@example.com']],
    ['a sender that is no address, a bad port', { PLUGIN_FROM: 'Drone CI', PLUGIN_PORT: '70000' }, [
      'settings.from: expected an email address such as drone@example.com or "Drone <drone@example.com>"',
      'settings.port: expected a port between 1 and 65535',
    ]],
    ['a password without STARTTLS', { PLUGIN_NO_STARTTLS: 'true' }, ['settings.no_starttls and settings.password exclude each other: set only one of them.']],
    ['an attachment outside the workspace', { PLUGIN_ATTACHMENT: '../../etc/passwd' }, []],
  ];
  for (const [name, settings, problems] of cases) {
    test(name, async () => {
      const r = await run({ PLUGIN_RECIPIENTS: 'team@example.com', ...settings });
      if (problems.length) assertRefused(r, problems);
      else {
        assert.equal(r.code, 1);
        assert.match(r.stderr, /settings.attachment: "..\/..\/etc\/passwd" is outside the workspace/);
      }
      assert.equal(starttls.received.length, 0);
      assertNoSecret(r.stdout + r.stderr, PASSWORD);
    });
  }
});
