import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pushImage, registryMissing, startRegistry } from '../../test/components/registry/index.ts';
import { droneBuildEnv } from '../../test/support/drone-env.ts';

/**
 * Joining two single-platform images on Debian's docker-registry on loopback: read both manifests
 * and configs, push the index. Every run pushes the same index again, as a re-run build would.
 * Without the registry binary there is no such row.
 */
export const coldStart = registryMissing()
  ? undefined
  : async () => {
      const registry = await startRegistry();
      await pushImage(registry, 'octocat/hello-world', '1.0.0-amd64', { architecture: 'amd64' });
      await pushImage(registry, 'octocat/hello-world', '1.0.0-arm64', { architecture: 'arm64' });
      const workspace = mkdtempSync(join(tmpdir(), 'bench-manifest-'));
      return {
        what: 'joining two images on a loopback registry',
        env: {
          ...droneBuildEnv,
          DRONE_WORKSPACE: workspace,
          DOCKER_CONFIG: join(workspace, '.docker'),
          PLUGIN_TARGET: `${registry.host}/octocat/hello-world:1.0.0`,
          PLUGIN_TEMPLATE: `${registry.host}/octocat/hello-world:1.0.0-ARCH`,
          PLUGIN_PLATFORMS: 'linux/amd64,linux/arm64',
        },
        cwd: workspace,
        close: () => registry.stop(),
      };
    };
