import { startSmtpStandIn } from '../../test/components/smtp/server.ts';
import { droneBuildEnv } from '../../test/support/drone-env.ts';

/** The representative run: the default message to one recipient through an SMTP server on loopback (nodemailer, html-to-text and Handlebars loaded). */
export async function coldStart() {
  const smtp = await startSmtpStandIn({ tls: 'none' });
  return {
    what: 'default message to a local SMTP server',
    env: { ...droneBuildEnv, PLUGIN_HOST: '127.0.0.1', PLUGIN_PORT: String(smtp.port), PLUGIN_FROM: 'drone@example.com', PLUGIN_RECIPIENTS: 'team@example.com', PLUGIN_RECIPIENTS_ONLY: 'true' },
    close: () => smtp.close(),
  };
}
