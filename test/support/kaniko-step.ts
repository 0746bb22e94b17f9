import { join } from 'node:path';
import { type Recorded, type StandInOptions, writeStandIn } from '../components/kaniko-executor/index.ts';
import { type BundleRun, runBundle } from './run-bundle.ts';

/**
 * `dist/kaniko.js` run in `workspace` with a recording stand-in executor; the executor, its Docker
 * config and the digest file live in `dir`, outside the workspace, as /kaniko does in the image.
 */
export async function runKaniko(
  dir: string,
  workspace: string,
  env: Record<string, string>,
  standIn?: StandInOptions,
): Promise<BundleRun & { readonly record: Recorded | undefined }> {
  const executor = writeStandIn(dir, standIn);
  const r = await runBundle(
    'kaniko',
    {
      DRONE_WORKSPACE: workspace,
      DOCKER_CONFIG: join(dir, 'docker'),
      PLUGIN_ENV_FILE: join(dir, 'no-status-file'),
      PLUGIN_EXECUTOR: executor.path,
      PLUGIN_DIGEST_FILE: join(dir, 'digest'),
      ...env,
    },
    { cwd: workspace },
  );
  return { ...r, record: executor.record() };
}
