import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Engine, engineUnavailable, startEngine } from '../../scripts/images/engine.ts';

export const CI = /^(true|1)$/i.test(process.env.CI ?? '');

/**
 * The Docker engine (and registry) of one image test file, with a scratch folder the images' users
 * can read; or why its tests are skipped, which under CI is a failure instead.
 */
export async function imageTestEngine(name: string): Promise<{ engine: Engine; work: string } | { skipReason: string }> {
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
  const work = mkdtempSync(join(tmpdir(), `sortie-${name}-`));
  chmodSync(work, 0o755);
  return { engine, work };
}
