import { startGoogleChatStandIn } from '../../test/components/google-chat/server.ts';
import { droneBuildEnv } from '../../test/support/drone-env.ts';

/** The default message and card of a push build, to a Google Chat stand-in on loopback. */
export async function coldStart() {
  const chat = await startGoogleChatStandIn();
  return { what: 'default message to a local sink', env: { ...droneBuildEnv, PLUGIN_WEBHOOK: chat.webhookUrl }, close: () => chat.close() };
}
