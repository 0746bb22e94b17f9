import { startSmtpStandIn } from '../../test/components/smtp/server.ts';
import { startWebhookStandIn } from '../../test/components/webhook/server.ts';

interface Demo {
  header(title: string): void;
  step(plugin: string, env: Record<string, string>): Promise<number>;
}

/** sortie/webhook and sortie/email against their stand-ins, and what each received. */
export async function webhookAndEmailSteps({ header, step }: Demo): Promise<void> {
  const key = 'demo-signing-key';
  const hook = await startWebhookStandIn({ signatureSecret: key });
  const smtp = await startSmtpStandIn({ tls: 'none' });
  try {
    header('webhook: the default body, signed');
    await step('webhook', { PLUGIN_URLS: hook.hookUrl, PLUGIN_SIGNATURE_SECRET: key });
    header('what the webhook stand-in received');
    for (const r of hook.received) console.log(`   ${r.method} ${r.path.replace(/[^/]+$/, '…')}  x-drone-signature: ${r.headers['x-drone-signature']}\n   ${r.raw.trimEnd()}`);
    header('email: the default message to the team (an SMTP server on loopback)');
    await step('email', { PLUGIN_HOST: '127.0.0.1', PLUGIN_PORT: String(smtp.port), PLUGIN_FROM: 'Drone <drone@example.com>', PLUGIN_RECIPIENTS: 'team@example.com', PLUGIN_RECIPIENTS_ONLY: 'true' });
    header('what the SMTP stand-in received (the plain-text part)');
    for (const m of smtp.received) console.log(`   to ${m.to.join(', ')}: ${m.mail.subject}\n${(m.mail.text ?? '').trim().replace(/^/gm, '   ')}`);
  } finally {
    await hook.close();
    await smtp.close();
  }
}
