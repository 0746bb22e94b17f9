import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { type Recorded, type StandIn, type StandInOptions, writeStandIn } from '../components/kaniko-executor/index.ts';
import { type BundleRun, runBundle } from './run-bundle.ts';

const dirs: string[] = [];
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

interface KanikoStep {
  readonly dir: string;
  /** The workspace, with a Dockerfile: the step's working directory. */
  readonly workspace: string;
  readonly executor: StandIn;
  /** A push to the default branch building with the stand-in, its Docker config and digest in `dir`. */
  readonly env: Record<string, string> & ReturnType<typeof executorEnv>;
}

export interface KanikoRun extends BundleRun {
  readonly output: string;
  /** What the executor saw; undefined when it did not run. */
  readonly record: Recorded | undefined;
  readonly dir: string;
  readonly workspace: string;
}

/** A fresh directory (removed after the file's tests) holding a workspace and a stand-in executor, and the environment of a step that uses them. */
export function kanikoStep(standIn: StandInOptions = {}, files: Record<string, string> = {}): KanikoStep {
  const dir = mkdtempSync(join(tmpdir(), 'kaniko-e2e-'));
  dirs.push(dir);
  const workspace = join(dir, 'src');
  mkdirSync(workspace);
  writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\n');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(workspace, name, '..'), { recursive: true });
    writeFileSync(join(workspace, name), text);
  }
  const executor = writeStandIn(dir, standIn);
  const build = { DRONE: 'true', DRONE_BUILD_EVENT: 'push', DRONE_COMMIT_REF: 'refs/heads/main', DRONE_REPO_BRANCH: 'main' };
  return { dir, workspace, executor, env: { ...build, ...executorEnv(dir, workspace, executor) } };
}

/** `dist/kaniko.js` in a fresh step (see kanikoStep), as a push to the default branch unless `env` says otherwise. */
export async function kaniko(env: Record<string, string>, opts: { standIn?: StandInOptions; files?: Record<string, string> } = {}): Promise<KanikoRun> {
  const step = kanikoStep(opts.standIn, opts.files);
  const r = await runBundle('kaniko', { ...step.env, ...env }, { cwd: step.workspace });
  return { ...r, output: r.stdout + r.stderr, record: step.executor.record(), dir: step.dir, workspace: step.workspace };
}

/**
 * `dist/kaniko.js` run in a workspace of the caller's with a recording stand-in executor; the
 * executor, its Docker config and the digest file live in `dir`, outside the workspace, as /kaniko
 * does in the image.
 */
export async function runKaniko(dir: string, workspace: string, env: Record<string, string>, standIn?: StandInOptions): Promise<BundleRun & { readonly record: Recorded | undefined }> {
  const executor = writeStandIn(dir, standIn);
  const r = await runBundle('kaniko', { ...executorEnv(dir, workspace, executor), ...env }, { cwd: workspace });
  return { ...r, record: executor.record() };
}

function executorEnv(dir: string, workspace: string, executor: StandIn) {
  return {
    DRONE_WORKSPACE: workspace,
    DOCKER_CONFIG: join(dir, 'docker'),
    PLUGIN_ENV_FILE: join(dir, 'no-status-file'),
    PLUGIN_EXECUTOR: executor.path,
    PLUGIN_DIGEST_FILE: join(dir, 'digest'),
  };
}
