import { join } from 'node:path';
import type { KubeApi } from '../kube-api/server.ts';
import { droneBuildEnv } from './drone-env.ts';
import { runBundle } from './run-bundle.ts';

// biome-ignore lint/suspicious/noExplicitAny: a JSON object of any kind
export type Stored = Record<string, any>;

/** An object as the emulator stores it, undefined when there is none. */
export const liveObject = (api: KubeApi, path: string) => api.get(path) as Stored | undefined;

/** The bundled kubernetes plugin run as a Drone push build's step in `ws`, against the emulator; `first` is its log's first line. */
export async function deployStep(api: KubeApi, ws: string, env: Record<string, string>) {
  const r = await runBundle('kubernetes', { ...droneBuildEnv, DRONE_WORKSPACE: ws, PLUGIN_ENV_FILE: join(ws, 'no-env-file'), PLUGIN_KUBECONFIG: api.kubeconfig(), ...env }, { cwd: ws, timeoutMs: 60_000 });
  return { ...r, out: r.stdout + r.stderr, first: r.stdout.split('\n')[0] ?? '' };
}
