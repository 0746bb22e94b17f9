import { startTeamsStandIn } from '../../test/components/teams/server.ts';
import { droneBuildEnv } from '../../test/support/drone-env.ts';

/** The default card of a push build, to a Teams Workflows stand-in on loopback. */
export async function coldStart() {
  const teams = await startTeamsStandIn();
  return { what: 'default card to a local sink', env: { ...droneBuildEnv, PLUGIN_WEBHOOK: teams.webhookUrl }, close: () => teams.close() };
}
