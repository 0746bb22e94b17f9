import { startWebhookStandIn } from '../../test/components/webhook/server.ts';
import { droneBuildEnv } from '../../test/support/drone-env.ts';

/** The representative run: the default body to one hook on loopback. */
export async function coldStart() {
  const hook = await startWebhookStandIn();
  return { what: 'default body to a local hook', env: { ...droneBuildEnv, PLUGIN_URLS: hook.hookUrl }, close: () => hook.close() };
}
