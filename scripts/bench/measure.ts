import { spawn } from 'node:child_process';

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

interface ProcessSample {
  readonly ms: number;
  readonly maxRssKiB: number;
  readonly code: number;
}

/**
 * One process run: wall time around the spawn, and peak RSS as GNU time reports it. Asynchronous,
 * so loopback servers in this process (a Slack sink, the Kubernetes emulator) can answer the child.
 */
export function sampleProcess(argv: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<ProcessSample> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%M', ...argv], { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      resolve({ ms, maxRssKiB: Number(stderr.trim().split('\n').at(-1)), code: code ?? 1 });
    });
  });
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
export async function compareProcesses(
  subject: () => Promise<ProcessSample>,
  baseline: () => Promise<ProcessSample>,
  runs: number,
): Promise<{ subject: { ms: number; rss: number; codes: Set<number> }; baseline: { ms: number; rss: number } }> {
  const s: ProcessSample[] = [];
  const b: ProcessSample[] = [];
  // One warm-up each so the first sample does not pay for the disk cache.
  await subject();
  await baseline();
  for (let i = 0; i < runs; i++) {
    s.push(await subject());
    b.push(await baseline());
  }
  return {
    subject: { ms: median(s.map((x) => x.ms)), rss: median(s.map((x) => x.maxRssKiB)), codes: new Set(s.map((x) => x.code)) },
    baseline: { ms: median(b.map((x) => x.ms)), rss: median(b.map((x) => x.maxRssKiB)) },
  };
}
