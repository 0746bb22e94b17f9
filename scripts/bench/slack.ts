import { startSlackStandIn } from '../../test/components/slack/server.ts';
import { droneBuildEnv } from '../../test/support/drone-env.ts';

/** The default message of a push build, to a Slack stand-in on loopback. */
export async function coldStart() {
  const slack = await startSlackStandIn();
  return { what: 'default message to a local sink', env: { ...droneBuildEnv, PLUGIN_WEBHOOK: slack.webhookUrl }, close: () => slack.close() };
}
