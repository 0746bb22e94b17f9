/**
 * The teams, google-chat, webhook and email images, built with `docker build` on a real Docker engine (see
 * plugins.images.ts) and run the way Drone's runners run plugins: PLUGIN_* and DRONE_* environment,
 * the workspace mounted read-only as the working directory, host networking to reach the loopback
 * stand-ins, the runner's status file at /run/drone/env.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildImage, imageName } from '../../scripts/images/build.ts';
import { type Engine, engineUnavailable, startEngine } from '../../scripts/images/engine.ts';
import { startGoogleChatStandIn } from '../components/google-chat/server.ts';
import { startSmtpStandIn } from '../components/smtp/server.ts';
import { startTeamsStandIn } from '../components/teams/server.ts';
import { startWebhookStandIn } from '../components/webhook/server.ts';
import { droneBuildEnv, failedRunnerStatusFile } from '../support/drone-env.ts';

const CI = /^(true|1)$/i.test(process.env.CI ?? '');
type Notifier = 'teams' | 'google-chat' | 'webhook' | 'email';
const image = (plugin: Notifier) => `${imageName('sortie-test', plugin)}:images-test`;

let engine: Engine | undefined;
let skipReason: string | undefined;
let work: string;

before(async () => {
  const unavailable = engineUnavailable();
  try {
    if (unavailable) throw new Error(unavailable);
    engine = await startEngine({ log: (l) => console.error(`# ${l}`) });
  } catch (err) {
    if (CI) throw new Error(`CI needs a Docker engine for the image tests and none could start: ${(err as Error).message}`);
    skipReason = `no Docker engine: ${(err as Error).message.split('\n')[0]}`;
    return;
  }
  work = mkdtempSync(join(tmpdir(), 'sortie-notify-images-'));
  chmodSync(work, 0o755);
  for (const plugin of ['teams', 'google-chat', 'webhook', 'email'] as const) await buildImage(engine, plugin, { out: join(work, 'contexts'), tags: [image(plugin)] });
});

after(async () => {
  await engine?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** `docker run` as Drone's runners start a plugin step, with a failed pipeline's status file. */
function runStep(plugin: Notifier, env: Record<string, string>) {
  const statusDir = mkdtempSync(join(work, 'status-'));
  chmodSync(statusDir, 0o755);
  writeFileSync(join(statusDir, 'env'), failedRunnerStatusFile, { mode: 0o644 });
  const ws = mkdtempSync(join(work, 'ws-'));
  chmodSync(ws, 0o777);
  const all = { ...droneBuildEnv, DRONE_WORKSPACE: '/drone/src', ...env };
  return engine!.docker(
    [
      'run', '--rm', '--network=host', '--read-only',
      '-v', `${ws}:/drone/src`, '-w', '/drone/src',
      '-v', `${join(statusDir, 'env')}:/run/drone/env:ro`,
      ...Object.entries(all).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
      image(plugin),
    ],
    { allowFail: true },
  );
}

test('sortie/teams posts the failure the status file reports, as an Adaptive Card', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const teams = await startTeamsStandIn();
  try {
    const r = await runStep('teams', { PLUGIN_WEBHOOK: teams.webhookUrl });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'sent the failure card to the Teams workflow; it posts to the channel as its run goes\n');
    assert.equal(teams.runs[0]?.status, 'Succeeded', teams.runs[0]?.error);
    assert.ok(!(r.stdout + r.stderr).includes(teams.signature));
  } finally {
    await teams.close();
  }
});

test('sortie/google-chat posts the failure the status file reports, with its card', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const chat = await startGoogleChatStandIn();
  try {
    const r = await runStep('google-chat', { PLUGIN_WEBHOOK: chat.webhookUrl });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'sent the failure message to Google Chat\n');
    assert.match((chat.received[0]!.body as { text: string }).text, /^\*failure\* /);
  } finally {
    await chat.close();
  }
});

test('sortie/webhook sends the default body with the failure the status file reports', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const hook = await startWebhookStandIn();
  try {
    const r = await runStep('webhook', { PLUGIN_URLS: hook.hookUrl });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'the webhook: HTTP 200\nsent the failure notification to the webhook\n');
    assert.equal((JSON.parse(hook.received[0]!.raw) as { build: { status: string } }).build.status, 'failure');
  } finally {
    await hook.close();
  }
});

test('sortie/email sends the failure through an SMTP server (nodemailer and html-to-text from the bundle)', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const smtp = await startSmtpStandIn({ tls: 'none' });
  try {
    const r = await runStep('email', { PLUGIN_HOST: '127.0.0.1', PLUGIN_PORT: String(smtp.port), PLUGIN_FROM: 'drone@example.com', PLUGIN_RECIPIENTS: 'team@example.com', PLUGIN_RECIPIENTS_ONLY: 'true' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'sent the failure email to team@example.com\n');
    assert.equal(smtp.received[0]!.mail.subject, '[failure] octocat/hello-world (main - 7fd1a60b)');
    assert.match(smtp.received[0]!.mail.text ?? '', /Failed build #42/);
  } finally {
    await smtp.close();
  }
});
