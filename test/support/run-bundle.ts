import { join } from 'node:path';
import { type ProcessResult, runProcess } from './process.ts';

export const repoRoot = join(import.meta.dirname, '..', '..');

export type BundleRun = ProcessResult;

/**
 * Runs `dist/<plugin>.js` as Drone runs a plugin: a fresh process whose only input is its
 * environment (and working directory). The environment is not inherited, so a test states all of it.
 */
export function runBundle(plugin: string, env: Record<string, string>, opts: { cwd?: string; bundle?: string; timeoutMs?: number } = {}): Promise<BundleRun> {
  const bundle = opts.bundle ?? join(repoRoot, 'dist', `${plugin}.js`);
  return runProcess(process.execPath, [bundle], { cwd: opts.cwd ?? repoRoot, env: { PATH: process.env.PATH ?? '', ...env }, timeoutMs: opts.timeoutMs ?? 60_000 });
}
