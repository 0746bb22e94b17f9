import { startMatrixStandIn } from '../../test/components/matrix/server.ts';
import { droneBuildEnv } from '../../test/support/drone-env.ts';

/** The default message of a push build, with an access token, to a homeserver stand-in on loopback. */
export async function coldStart() {
  const matrix = await startMatrixStandIn();
  const env = { ...droneBuildEnv, PLUGIN_HOMESERVER: matrix.url, PLUGIN_ROOMID: matrix.roomId, PLUGIN_ACCESSTOKEN: matrix.accessToken };
  return { what: 'default message to a local sink', env, close: () => matrix.close() };
}
