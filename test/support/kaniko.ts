import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { type Recorded, type StandInOptions, writeStandIn } from '../components/kaniko-executor/index.ts';
import { type BundleRun, runBundle } from './run-bundle.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

export interface KanikoRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly output: string;
  /** What the executor saw; undefined when it did not run. */
  readonly record: Recorded | undefined;
  readonly dir: string;
  readonly workspace: string;
}

/**
 * `dist/kaniko.js` in a fresh workspace with a Dockerfile, a stand-in executor and a temp Docker
 * config directory, as a push to the default branch unless `env` says otherwise.
 */
export async function kaniko(env: Record<string, string>, opts: { standIn?: StandInOptions; files?: Record<string, string> } = {}): Promise<KanikoRun> {
  const dir = mkdtempSync(join(tmpdir(), 'kaniko-e2e-'));
  dirs.push(dir);
  const workspace = join(dir, 'src');
  mkdirSync(workspace);
  writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\n');
  for (const [name, text] of Object.entries(opts.files ?? {})) {
    mkdirSync(join(workspace, name, '..'), { recursive: true });
    writeFileSync(join(workspace, name), text);
  }
  const r = await runKaniko(dir, workspace, { DRONE: 'true', DRONE_BUILD_EVENT: 'push', DRONE_COMMIT_REF: 'refs/heads/main', DRONE_REPO_BRANCH: 'main', ...env }, opts.standIn);
  return { ...r, output: r.stdout + r.stderr, dir, workspace };
}

/**
 * `dist/kaniko.js` run in `workspace` with a recording stand-in executor; the executor, its Docker
 * config and the digest file live in `dir`, outside the workspace, as /kaniko does in the image.
 */
export async function runKaniko(dir: string, workspace: string, env: Record<string, string>, standIn?: StandInOptions): Promise<BundleRun & { readonly record: Recorded | undefined }> {
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
