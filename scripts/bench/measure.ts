import { spawnSync } from 'node:child_process';

export interface Row {
  readonly group: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** Measured in the same run, so the ratio is fair on any machine. */
  readonly baseline?: { readonly name: string; readonly value: number };
  /** e.g. `<= 1.5x`: the ratio the issue asks for. */
  readonly target?: string;
}

export interface ProcessSample {
  readonly ms: number;
  readonly maxRssKiB: number;
  readonly code: number;
}

/** One process run: wall time around the spawn, and peak RSS as GNU time reports it. */
export function sampleProcess(argv: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): ProcessSample {
  const start = process.hrtime.bigint();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', ...argv], { env, cwd, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const lines = r.stderr.trim().split('\n');
  return { ms, maxRssKiB: Number(lines.at(-1)), code: r.status ?? 1 };
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Runs the subject and the baseline alternately, so drift in the machine's load touches both
 * alike, and gives the medians.
 */
export function compareProcesses(
  subject: () => ProcessSample,
  baseline: () => ProcessSample,
  runs: number,
): { subject: { ms: number; rss: number; codes: Set<number> }; baseline: { ms: number; rss: number } } {
  const s: ProcessSample[] = [];
  const b: ProcessSample[] = [];
  // One warm-up each so the first sample does not pay for the disk cache.
  subject();
  baseline();
  for (let i = 0; i < runs; i++) {
    s.push(subject());
    b.push(baseline());
  }
  return {
    subject: { ms: median(s.map((x) => x.ms)), rss: median(s.map((x) => x.maxRssKiB)), codes: new Set(s.map((x) => x.code)) },
    baseline: { ms: median(b.map((x) => x.ms)), rss: median(b.map((x) => x.maxRssKiB)) },
  };
}
