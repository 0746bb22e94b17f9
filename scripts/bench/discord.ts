import { startDiscordStandIn } from '../../test/components/discord/server.ts';
import { droneBuildEnv } from '../../test/support/drone-env.ts';

/** The default embed of a push build, to a Discord stand-in on loopback. */
export async function coldStart() {
  const discord = await startDiscordStandIn();
  return { what: 'default message to a local sink', env: { ...droneBuildEnv, PLUGIN_WEBHOOK_URL: discord.webhookUrl }, close: () => discord.close() };
}
