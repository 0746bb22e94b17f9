import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './run-bundle.ts';

interface Ended {
  /** The exit code; -1 when a signal killed the process (see `signal`). */
  readonly code: number;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The last line written to either stream. */
  readonly lastLine: string;
  /** Milliseconds from start to exit. */
  readonly elapsedMs: number;
}

export interface Running {
  readonly child: ChildProcess;
  /** Resolves once the output (both streams) matches; rejects if the process ends first. */
  until(pattern: RegExp): Promise<void>;
  /** Sends `signal` and returns the time it was sent, to measure how long the process takes to stop. */
  kill(signal: NodeJS.Signals): number;
  readonly ended: Promise<Ended>;
}

/**
 * `dist/<plugin>.js` as a running process, for what only a running process shows: how long it
 * takes to end, and what it does with a signal. The environment is not inherited, as in runBundle.
 */
export function startBundle(plugin: string, env: Record<string, string>, opts: { cwd?: string; killAfterMs?: number } = {}): Running {
  const started = Date.now();
  const child = spawn(process.execPath, [join(repoRoot, 'dist', `${plugin}.js`)], {
    cwd: opts.cwd ?? repoRoot,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // A plugin that ignores its bounds must fail the test, not hang it.
  const guard = setTimeout(() => child.kill('SIGKILL'), opts.killAfterMs ?? 30_000);
  let stdout = '';
  let stderr = '';
  let all = '';
  const waiters = new Set<{ pattern: RegExp; resolve(): void }>();
  const take = (chunk: Buffer, into: 'out' | 'err') => {
    const text = chunk.toString();
    if (into === 'out') stdout += text;
    else stderr += text;
    all += text;
    for (const w of waiters) {
      if (w.pattern.test(all)) {
        waiters.delete(w);
        w.resolve();
      }
    }
  };
  child.stdout!.on('data', (c: Buffer) => take(c, 'out'));
  child.stderr!.on('data', (c: Buffer) => take(c, 'err'));
  const ended = new Promise<Ended>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(guard);
      const lines = all.split('\n').filter((l) => l.trim() !== '');
      resolve({ code: code ?? -1, signal, stdout, stderr, lastLine: lines.at(-1) ?? '', elapsedMs: Date.now() - started });
    });
  });
  return {
    child,
    ended,
    until: (pattern) =>
      pattern.test(all)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.add({ pattern, resolve });
            ended.then((e) => reject(new Error(`the process ended (code ${e.code}) before its output matched ${pattern}:\n${all}`)), reject);
          }),
    kill(signal) {
      child.kill(signal);
      return Date.now();
    },
  };
}
