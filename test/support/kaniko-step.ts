import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StandIn, type StandInOptions, writeStandIn } from '../components/kaniko-executor/index.ts';

export interface KanikoStep {
  readonly dir: string;
  /** The workspace, with a Dockerfile: the step's working directory. */
  readonly workspace: string;
  readonly executor: StandIn;
  /** A push to the default branch building with the stand-in, its Docker config and digest in `dir`. */
  readonly env: Record<string, string>;
}

/** A fresh directory holding a workspace and a stand-in executor, and the environment of a step that uses them. */
export function kanikoStep(standIn: StandInOptions = {}, files: Record<string, string> = {}): KanikoStep {
  const dir = mkdtempSync(join(tmpdir(), 'kaniko-e2e-'));
  const workspace = join(dir, 'src');
  mkdirSync(workspace);
  writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\n');
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(workspace, name, '..'), { recursive: true });
    writeFileSync(join(workspace, name), text);
  }
  const executor = writeStandIn(dir, standIn);
  const env = {
    DRONE: 'true',
    DRONE_WORKSPACE: workspace,
    DRONE_BUILD_EVENT: 'push',
    DRONE_COMMIT_REF: 'refs/heads/main',
    DRONE_REPO_BRANCH: 'main',
    DOCKER_CONFIG: join(dir, 'docker'),
    PLUGIN_ENV_FILE: join(dir, 'no-status-file'),
    PLUGIN_EXECUTOR: executor.path,
    PLUGIN_DIGEST_FILE: join(dir, 'digest'),
  };
  return { dir, workspace, executor, env };
}
