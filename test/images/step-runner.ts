/**
 * Plugin images built on a real Docker engine and run the way Drone's runners run plugins:
 * PLUGIN_* and DRONE_* environment, the workspace mounted as the working directory, host networking
 * to reach the loopback stand-ins, a failed pipeline's status file at /run/drone/env.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, imageName } from '../../scripts/images/build.ts';
import { type Engine, engineUnavailable, startEngine } from '../../scripts/images/engine.ts';
import type { Plugin } from '../../scripts/images/stage.ts';
import { droneBuildEnv, failedRunnerStatusFile } from '../support/drone-env.ts';

const CI = /^(true|1)$/i.test(process.env.CI ?? '');

export interface ImageSteps {
  /** Why the images cannot be tested here (no Docker engine), outside CI. */
  readonly skipReason: string | undefined;
  run(plugin: Plugin, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

export async function imageSteps(plugins: readonly Plugin[]): Promise<ImageSteps> {
  const image = (plugin: Plugin) => `${imageName('sortie-test', plugin)}:images-test`;
  let engine: Engine;
  try {
    const unavailable = engineUnavailable();
    if (unavailable) throw new Error(unavailable);
    engine = await startEngine({ log: (l) => console.error(`# ${l}`) });
  } catch (err) {
    if (CI) throw new Error(`CI needs a Docker engine for the image tests and none could start: ${(err as Error).message}`);
    const skipReason = `no Docker engine: ${(err as Error).message.split('\n')[0]}`;
    return { skipReason, run: () => Promise.reject(new Error(skipReason)), stop: async () => {} };
  }
  const work = mkdtempSync(join(tmpdir(), 'sortie-images-'));
  chmodSync(work, 0o755);
  for (const plugin of plugins) await buildImage(engine, plugin, { out: join(work, 'contexts'), tags: [image(plugin)] });
  return {
    skipReason: undefined,
    run: (plugin, env) => {
      const statusDir = mkdtempSync(join(work, 'status-'));
      chmodSync(statusDir, 0o755);
      writeFileSync(join(statusDir, 'env'), failedRunnerStatusFile, { mode: 0o644 });
      const ws = mkdtempSync(join(work, 'ws-'));
      chmodSync(ws, 0o777);
      const all = { ...droneBuildEnv, DRONE_WORKSPACE: '/drone/src', ...env };
      const volumes = ['-v', `${ws}:/drone/src`, '-w', '/drone/src', '-v', `${join(statusDir, 'env')}:/run/drone/env:ro`];
      return engine.docker(['run', '--rm', '--network=host', '--read-only', ...volumes, ...Object.entries(all).flatMap(([k, v]) => ['-e', `${k}=${v}`]), image(plugin)], { allowFail: true });
    },
    stop: async () => {
      await engine.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
