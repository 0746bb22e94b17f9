/**
 * sortie/webhook and sortie/email built with `docker build` and run as Drone's runners run a plugin
 * (PLUGIN_* and DRONE_* environment, the workspace mounted, a read-only root, host networking to
 * reach the loopback stand-ins), as test/images/plugins.images.ts does for the first plugins.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildImage, imageName } from '../../scripts/images/build.ts';
import { type Engine, engineUnavailable, startEngine } from '../../scripts/images/engine.ts';
import { type SmtpStandIn, startSmtpStandIn } from '../components/smtp/server.ts';
import { type WebhookStandIn, startWebhookStandIn } from '../components/webhook/server.ts';
import { droneBuildEnv, failedRunnerStatusFile } from '../support/drone-env.ts';

const CI = /^(true|1)$/i.test(process.env.CI ?? '');
const image = (plugin: 'webhook' | 'email') => `${imageName('sortie-test', plugin)}:images-test`;

let engine: Engine | undefined;
let skipReason: string | undefined;
let work: string;
let hook: WebhookStandIn;
let smtp: SmtpStandIn;

before(async () => {
  const unavailable = engineUnavailable();
  try {
    if (unavailable) throw new Error(unavailable);
    engine = await startEngine({ log: (l) => console.error(`# ${l}`) });
  } catch (err) {
    if (CI) throw new Error(`CI needs a Docker engine for the image tests and none could start: ${(err as Error).message}`);
    skipReason = `no Docker engine: ${(err as Error).message.split('\n')[0]}`;
    console.error(`# image tests skipped: ${skipReason}`);
    return;
  }
  work = mkdtempSync(join(tmpdir(), 'sortie-notify-images-'));
  chmodSync(work, 0o755);
  for (const plugin of ['webhook', 'email'] as const) await buildImage(engine, plugin, { out: join(work, 'contexts'), tags: [image(plugin)] });
  hook = await startWebhookStandIn();
  smtp = await startSmtpStandIn({ tls: 'none' });
});

after(async () => {
  await hook?.close();
  await smtp?.close();
  await engine?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** `docker run` as Drone starts a plugin step, with the runner's status file mounted when given. */
function runStep(plugin: 'webhook' | 'email', env: Record<string, string>, statusFile?: string) {
  const ws = mkdtempSync(join(work, 'ws-'));
  chmodSync(ws, 0o777);
  const all = { ...droneBuildEnv, DRONE_WORKSPACE: '/drone/src', ...env };
  return engine!.docker(
    [
      'run', '--rm', '--network=host', '--read-only',
      '-v', `${ws}:/drone/src`, '-w', '/drone/src',
      ...(statusFile ? ['-v', `${statusFile}:/run/drone/env:ro`] : []),
      ...Object.entries(all).flatMap(([k, v]) => ['-e', `${k}=${v}`]),
      image(plugin),
    ],
    { allowFail: true },
  );
}

function statusFile(): string {
  const dir = mkdtempSync(join(work, 'status-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'env'), failedRunnerStatusFile, { mode: 0o644 });
  return join(dir, 'env');
}

function skipped(t: { skip(message?: string): void }): boolean {
  if (!skipReason) return false;
  t.skip(skipReason);
  return true;
}

describe('sortie/webhook image', () => {
  test("sends the default body with the failure read from /run/drone/env", async (t) => {
    if (skipped(t)) return;
    hook.received.length = 0;
    const r = await runStep('webhook', { PLUGIN_URLS: hook.hookUrl }, statusFile());
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'the webhook: HTTP 200\nsent the failure notification to the webhook\n');
    assert.equal((JSON.parse(hook.received[0]!.raw) as { build: { status: string } }).build.status, 'failure');
  });
});

describe('sortie/email image', () => {
  test('sends the default message (nodemailer and html-to-text from the bundle)', async (t) => {
    if (skipped(t)) return;
    smtp.received.length = 0;
    const r = await runStep('email', { PLUGIN_HOST: '127.0.0.1', PLUGIN_PORT: String(smtp.port), PLUGIN_FROM: 'drone@example.com', PLUGIN_RECIPIENTS: 'team@example.com', PLUGIN_RECIPIENTS_ONLY: 'true' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'sent the success email to team@example.com\n');
    assert.equal(smtp.received[0]!.mail.subject, '[success] octocat/hello-world (main - 7fd1a60b)');
    assert.match(smtp.received[0]!.mail.text ?? '', /Successful build #42/);
  });
});
