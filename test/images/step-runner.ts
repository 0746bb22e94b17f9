/**
 * Plugin images run the way Drone's runners run plugins: PLUGIN_* and DRONE_* environment, the
 * workspace mounted as the working directory, host networking to reach the loopback stand-ins, a
 * failed pipeline's status file at /run/drone/env. The images are the run's own (./images.ts).
 */
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Result } from '../../scripts/images/engine.ts';
import type { Plugin } from '../../scripts/images/stage.ts';
import { droneBuildEnv, failedRunnerStatusFile } from '../support/drone-env.ts';
import { engine, testImage, work } from './images.ts';

/** `docker run` of the plugin's image (this machine's platform) as a Drone step after a failed one. */
export function runStep(plugin: Plugin, env: Record<string, string>): Promise<Result> {
  const statusDir = mkdtempSync(join(work, 'status-'));
  chmodSync(statusDir, 0o755);
  writeFileSync(join(statusDir, 'env'), failedRunnerStatusFile, { mode: 0o644 });
  const ws = mkdtempSync(join(work, 'ws-'));
  chmodSync(ws, 0o777);
  const all = { ...droneBuildEnv, DRONE_WORKSPACE: '/drone/src', ...env };
  const volumes = ['-v', `${ws}:/drone/src`, '-w', '/drone/src', '-v', `${join(statusDir, 'env')}:/run/drone/env:ro`];
  return engine!.docker(['run', '--rm', '--network=host', '--read-only', ...volumes, ...Object.entries(all).flatMap(([k, v]) => ['-e', `${k}=${v}`]), testImage(plugin)], { allowFail: true });
}
