/** The teams, google-chat, webhook and email images, run as Drone runs them (./step-runner.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startGoogleChatStandIn } from '../components/google-chat/server.ts';
import { startSmtpStandIn } from '../components/smtp/server.ts';
import { startTeamsStandIn } from '../components/teams/server.ts';
import { startWebhookStandIn } from '../components/webhook/server.ts';
import { skipped } from './images.ts';
import { runStep } from './step-runner.ts';

test('sortie/teams posts the failure the status file reports, as an Adaptive Card', async (t) => {
  if (skipped(t)) return;
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
  if (skipped(t)) return;
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
  if (skipped(t)) return;
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
  if (skipped(t)) return;
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
