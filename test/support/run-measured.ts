import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runProcess } from './process.ts';
import { type BundleRun, repoRoot } from './run-bundle.ts';

interface MeasuredRun extends BundleRun {
  /** The process's peak resident set size, in MiB. */
  readonly maxRssMiB: number;
  readonly ms: number;
}

const REPORT = /\nsortie-test-max-rss-kib=(\d+)\n$/;

/** `runBundle`, also measuring the run's wall time and peak memory (reported from inside the process). */
export async function runBundleMeasured(plugin: string, env: Record<string, string>, opts: { cwd?: string; timeoutMs?: number } = {}): Promise<MeasuredRun> {
  const preload = pathToFileURL(join(repoRoot, 'test', 'support', 'report-max-rss.ts')).href;
  const started = performance.now();
  const r = await runProcess(process.execPath, ['--import', preload, join(repoRoot, 'dist', `${plugin}.js`)], {
    cwd: opts.cwd ?? repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    timeoutMs: opts.timeoutMs ?? 60_000,
  });
  const ms = performance.now() - started;
  const m = REPORT.exec(r.stderr);
  if (!m) throw new Error(`the run reported no peak RSS (killed?): code ${r.code}\n${r.stdout}${r.stderr}`);
  return { ...r, stderr: r.stderr.slice(0, m.index), maxRssMiB: Number(m[1]) / 1024, ms };
}
