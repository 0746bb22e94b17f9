import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildContext } from '../../../shared/context/index.ts';
import { readSettings } from '../../../shared/settings/index.ts';
import { recipientsOf } from '../../../plugins/email/recipients.ts';
import { settings } from '../../../plugins/email/settings.ts';
import { senderOf, smtpError, transportOptions } from '../../../plugins/email/smtp.ts';
import { droneBuildEnv } from '../../support/drone-env.ts';

const valuesOf = (env: Record<string, string>) => readSettings(settings, { PLUGIN_HOST: 'smtp.example.com', PLUGIN_FROM: 'drone@example.com', ...env }).values;
const build = buildContext(droneBuildEnv);

test('recipientsOf: settings, then the file (comments and blanks skipped), then the author; each once', () => {
  const s = valuesOf({ PLUGIN_RECIPIENTS: 'a@example.com,Octocat@GitHub.com', PLUGIN_RECIPIENTS_FILE: 'to.txt' });
  assert.deepEqual(recipientsOf(s, build, '# team\nb@example.com\n\na@example.com\n'), [
    { address: 'a@example.com', from: 'settings.recipients' },
    { address: 'Octocat@GitHub.com', from: 'settings.recipients' },
    { address: 'b@example.com', from: 'settings.recipients_file (to.txt:2)' },
  ]);
  assert.deepEqual(recipientsOf(valuesOf({ PLUGIN_RECIPIENTS_ONLY: 'true' }), build, undefined), []);
  assert.deepEqual(recipientsOf(valuesOf({}), build, undefined), [{ address: 'octocat@github.com', from: "the commit's author (DRONE_COMMIT_AUTHOR_EMAIL)" }]);
});

test('transportOptions: implicit TLS on 465 or when asked, STARTTLS required with a password, waits bounded by the step', () => {
  const submission = transportOptions(valuesOf({ PLUGIN_USERNAME: 'u', PLUGIN_PASSWORD: 'p' }), 5000);
  assert.equal(submission.secure, false);
  assert.equal(submission.requireTLS, true);
  assert.equal(submission.connectionTimeout, 5000);
  assert.deepEqual(submission.auth, { user: 'u', pass: 'p' });
  assert.equal(transportOptions(valuesOf({ PLUGIN_PORT: '465' }), undefined).secure, true);
  assert.equal(transportOptions(valuesOf({ PLUGIN_IMPLICIT_TLS: 'true', PLUGIN_PORT: '2465' }), undefined).secure, true);
  const relay = transportOptions(valuesOf({ PLUGIN_NO_STARTTLS: 'true', PLUGIN_SKIP_VERIFY: 'true' }), undefined);
  assert.equal(relay.ignoreTLS, true);
  assert.equal(relay.requireTLS, false);
  assert.equal(relay.socketTimeout, 30_000);
  assert.deepEqual(relay.tls, { rejectUnauthorized: false });
});

test('senderOf: from.name wraps a bare address only', () => {
  assert.deepEqual(senderOf(valuesOf({ 'PLUGIN_FROM.NAME': 'Drone' })), { name: 'Drone', address: 'drone@example.com' });
  assert.equal(senderOf(valuesOf({ PLUGIN_FROM: 'CI <ci@example.com>', 'PLUGIN_FROM.NAME': 'Drone' })), 'CI <ci@example.com>');
});

test('smtpError: the setting to fix and the server answer', () => {
  const s = valuesOf({});
  const fail = (props: object) => (smtpError(Object.assign(new Error('x'), props), s, { address: 'a@example.com', from: 'settings.recipients' }) as Error).message;
  assert.equal(fail({ code: 'EAUTH', response: '535 5.7.8 no' }), 'settings.password: smtp.example.com:587 refused the login of settings.username: the server answered 535 5.7.8 no');
  assert.equal(fail({ code: 'EENVELOPE', response: '550 unknown' }), 'smtp.example.com:587 refused the recipient a@example.com from settings.recipients: the server answered 550 unknown');
  assert.match(fail({ code: 'ECONNECTION', message: 'connect ECONNREFUSED' }), /^settings.host: cannot reach the SMTP server smtp.example.com:587: connect ECONNREFUSED$/);
  assert.match(fail({ code: 'ESOCKET', message: 'self-signed certificate' }), /^settings.host: the TLS certificate of smtp.example.com:587 is not trusted/);
});
