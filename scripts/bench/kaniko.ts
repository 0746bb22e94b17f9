import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { droneBuildEnv } from '../../test/support/drone-env.ts';

/**
 * Up to the executor's start: /bin/true stands in for it, so the run ends when the executor would
 * begin its (unmeasured) build.
 */
export async function coldStart() {
  const workspace = mkdtempSync(join(tmpdir(), 'bench-kaniko-'));
  writeFileSync(join(workspace, 'Dockerfile'), 'FROM scratch\n');
  return {
    what: "up to the executor's start",
    env: {
      ...droneBuildEnv,
      DRONE_WORKSPACE: workspace,
      DOCKER_CONFIG: join(workspace, '.docker'),
      PLUGIN_EXECUTOR: '/bin/true',
      PLUGIN_REPO: 'registry.example.com/octocat/hello-world',
      PLUGIN_TAGS: 'latest,1.0.0',
      PLUGIN_USERNAME: 'octocat',
      PLUGIN_PASSWORD: 'bench-password',
      PLUGIN_DIGEST_FILE: join(workspace, 'digest'),
    },
    cwd: workspace,
    close: async () => {},
  };
}
