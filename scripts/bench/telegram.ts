import { startTelegramStandIn } from '../../test/components/telegram/server.ts';
import { droneBuildEnv } from '../../test/support/drone-env.ts';

/** The default message of a push build, to a Bot API stand-in on loopback. */
export async function coldStart() {
  const telegram = await startTelegramStandIn();
  const env = { ...droneBuildEnv, PLUGIN_TOKEN: telegram.token, PLUGIN_TO: String(telegram.chats.user), PLUGIN_API_URL: telegram.url };
  return { what: 'default message to a local sink', env, close: () => telegram.close() };
}
