import { chmodSync, copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Engine } from '../../scripts/images/engine.ts';
import { repoRoot, sharedLibraries, strippedNode } from '../../scripts/images/runtime.ts';
import { writeStandIn } from '../components/kaniko-executor/index.ts';

/**
 * Builds images/test-kaniko-base: a stand-in for the kaniko executor image (FROM scratch, /kaniko,
 * the executor's environment) whose /kaniko/executor is the recording stand-in of
 * test/components/kaniko-executor. That one is a Node script run through `/usr/bin/env node`, so
 * this base also has a Node and env at the usual paths, which the real executor image has not:
 * sortie/kaniko must not use them, and its ENTRYPOINT names only /kaniko paths. After recording,
 * the executor deletes /usr, /lib and /lib64 as kaniko does (kaniko-executor-wipes.cjs).
 */
export async function buildKanikoStandInBase(engine: Engine, context: string, tag: string): Promise<string> {
  rmSync(context, { recursive: true, force: true });
  const rootfs = join(context, 'rootfs');
  const put = (from: string, to: string, mode = 0o755) => {
    mkdirSync(dirname(join(rootfs, to)), { recursive: true });
    copyFileSync(from, join(rootfs, to));
    chmodSync(join(rootfs, to), mode);
  };
  const node = strippedNode().path;
  put(node, '/usr/local/bin/node');
  for (const lib of new Set([...sharedLibraries(node), ...sharedLibraries('/usr/bin/env')])) put(lib, lib);
  put('/usr/bin/env', '/usr/bin/env');
  mkdirSync(join(rootfs, 'kaniko', '.docker'), { recursive: true });
  put('/etc/ssl/certs/ca-certificates.crt', '/kaniko/ssl/certs/ca-certificates.crt', 0o644);
  chmodSync(join(rootfs, 'kaniko'), 0o777);
  mkdirSync(join(rootfs, 'kaniko', 'stand-in'));
  writeStandIn(join(rootfs, 'kaniko', 'stand-in'));
  put(join(import.meta.dirname, 'kaniko-executor-wipes.cjs'), '/kaniko/executor');
  await engine.docker(['build', '--quiet', '-f', join(repoRoot, 'images', 'test-kaniko-base', 'Dockerfile'), '-t', tag, context]);
  return tag;
}
