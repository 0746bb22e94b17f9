/**
 * What every image test shares in `npm run test:images`: one Docker engine (and registry) of our own
 * and every plugin's image, built once for linux/amd64 and linux/arm64 with the release's tooling.
 * Without an engine the tests are skipped with the reason, except under CI, where that fails.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { buildImage, imageName } from '../../scripts/images/build.ts';
import { type Engine, engineUnavailable, startEngine } from '../../scripts/images/engine.ts';
import { type Arch, arches, hostArch } from '../../scripts/images/runtime.ts';
import { type Plugin, plugins } from '../../scripts/images/stage.ts';
import { buildKanikoStandInBase } from './kaniko-stand-in.ts';

export const CI = /^(true|1)$/i.test(process.env.CI ?? '');

const PREFIX = 'sortie-test';
const TAG = 'images-test';
/** The plugin's image for a platform, this machine's by default. */
export const testImage = (plugin: Plugin, arch: Arch = hostArch()) => `${imageName(PREFIX, plugin)}:${TAG}-${arch}`;
/** The stand-in for the kaniko executor image that the kaniko image of `arch` was built on (./kaniko-stand-in.ts). */
export const kanikoBase = (arch: Arch) => `${PREFIX}/kaniko-executor-stand-in:${TAG}-${arch}`;

/** The run's Docker engine (and registry), once the first test file's hooks have run; undefined when skipped. */
export let engine: Engine | undefined;
/** A scratch folder the images' users can read; the build contexts are under `contexts/<arch>/<plugin>`. */
export let work = '';
let skipReason: string | undefined;

// Registered by the first test module that imports this one, so these run before and after all of
// them: test/images/all.images.ts runs every image test in one process, on one engine.
before(async () => {
  const ready = await start();
  if ('skipReason' in ready) skipReason = ready.skipReason;
  else ({ engine, work } = ready);
});

after(async () => {
  await engine?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Skips `t` with the reason when there is no engine (outside CI): `if (skipped(t)) return;`. */
export function skipped(t: { skip(message?: string): void }): boolean {
  if (!skipReason) return false;
  t.skip(skipReason);
  return true;
}

/** Starts the engine and builds every plugin's image for both platforms; or why not, which under CI is a failure. */
async function start(): Promise<{ engine: Engine; work: string } | { skipReason: string }> {
  const unavailable = engineUnavailable();
  let engine: Engine;
  try {
    if (unavailable) throw new Error(unavailable);
    engine = await startEngine({ log: (l) => console.error(`# ${l}`) });
  } catch (err) {
    if (CI) throw new Error(`CI needs a Docker engine for the image tests and none could start: ${(err as Error).message}`);
    const skipReason = `no Docker engine: ${(err as Error).message.split('\n')[0]}`;
    console.error(`# image tests skipped: ${skipReason}`);
    return { skipReason };
  }
  const work = mkdtempSync(join(tmpdir(), 'sortie-images-'));
  chmodSync(work, 0o755);
  const started = Date.now();
  try {
    for (const arch of arches) {
      await buildKanikoStandInBase(engine, join(work, 'kaniko-stand-in', arch), kanikoBase(arch), arch);
      for (const plugin of plugins) await buildImage(engine, plugin, { out: join(work, 'contexts'), tags: [testImage(plugin, arch)], arch, kanikoImage: kanikoBase(arch) });
    }
  } catch (err) {
    await engine.stop();
    rmSync(work, { recursive: true, force: true });
    throw err;
  }
  console.error(`# built ${plugins.length * arches.length} images in ${Date.now() - started} ms`);
  return { engine, work };
}
