import { chmodSync, copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Engine } from '../../scripts/images/engine.ts';
import { runtimeLibraries } from '../../scripts/images/libraries.ts';
import { type Arch, pinnedNode, repoRoot, strippedNode } from '../../scripts/images/runtime.ts';
import { writeStandIn } from '../components/kaniko-executor/index.ts';

/**
 * Builds images/test-kaniko-base: a stand-in for the kaniko executor image (FROM scratch, /kaniko,
 * the executor's environment) whose /kaniko/executor is the recording stand-in of
 * test/components/kaniko-executor. That one is a Node script run by `/usr/local/bin/node`, so
 * this base also has a Node and its libraries at the usual paths, which the real executor image has
 * not: sortie/kaniko must not use them, and its ENTRYPOINT names only /kaniko paths. After recording,
 * the executor deletes /usr, /lib and /lib64 as kaniko does (kaniko-executor-wipes.cjs). Built for
 * either platform, as the real executor image is.
 */
export async function buildKanikoStandInBase(engine: Engine, context: string, tag: string, arch: Arch): Promise<string> {
  rmSync(context, { recursive: true, force: true });
  const rootfs = join(context, 'rootfs');
  const put = (from: string, to: string, mode = 0o755) => {
    mkdirSync(dirname(join(rootfs, to)), { recursive: true });
    copyFileSync(from, join(rootfs, to));
    chmodSync(join(rootfs, to), mode);
  };
  const node = strippedNode(arch).path;
  put(node, '/usr/local/bin/node');
  for (const lib of runtimeLibraries(node, arch, pinnedNode().path)) put(lib.source, lib.path);
  mkdirSync(join(rootfs, 'kaniko', '.docker'), { recursive: true });
  put('/etc/ssl/certs/ca-certificates.crt', '/kaniko/ssl/certs/ca-certificates.crt', 0o644);
  chmodSync(join(rootfs, 'kaniko'), 0o777);
  mkdirSync(join(rootfs, 'kaniko', 'stand-in'));
  writeStandIn(join(rootfs, 'kaniko', 'stand-in'));
  put(join(import.meta.dirname, 'kaniko-executor-wipes.cjs'), '/kaniko/executor');
  await engine.docker(['build', '--quiet', '--no-cache', '--platform', `linux/${arch}`, '-f', join(repoRoot, 'images', 'test-kaniko-base', 'Dockerfile'), '-t', tag, context]);
  return tag;
}
