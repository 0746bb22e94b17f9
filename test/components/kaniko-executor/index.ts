import { chmodSync, copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface StandInOptions {
  /** The exit code; a digest is written only on 0. */
  readonly exitCode?: number;
  /** What the digest file gets, `sha256:0123...` by default; empty for none. */
  readonly digest?: string;
  readonly stdout?: readonly string[];
  readonly stderr?: readonly string[];
  /** Fail as kaniko does when the registry answers 401 to its push permission check (exit 1). */
  readonly refusePush?: boolean;
  /** Keep building this long before finishing (0: finish at once). */
  readonly runMs?: number;
  /** While building: exit with this code on SIGTERM/SIGINT, or ignore them (then only SIGKILL ends it). */
  readonly onSignal?: { readonly exitCode: number } | 'ignore';
}

export interface Recorded {
  /** When the stand-in's process started, in epoch milliseconds: the end of the plugin's cold start. */
  readonly startedAt: number;
  readonly pid: number;
  readonly argv: string[];
  readonly cwd: string;
  readonly env: Record<string, string>;
  readonly dockerConfig: unknown;
  readonly googleKey: string | null;
  /** The signals it received, in order. */
  readonly signals: string[];
}

export interface StandIn {
  /** The executable, for `settings.executor`. */
  readonly path: string;
  /** What the last run saw; undefined when it never ran. */
  record(): Recorded | undefined;
}

/** Writes an executable stand-in executor into `dir`. */
export function writeStandIn(dir: string, options: StandInOptions = {}): StandIn {
  const path = join(dir, 'executor');
  copyFileSync(join(import.meta.dirname, 'executor.cjs'), path);
  chmodSync(path, 0o755);
  writeFileSync(`${path}.options.json`, JSON.stringify(options));
  const recordFile = `${path}.record.json`;
  return {
    path,
    record: () => (existsSync(recordFile) ? (JSON.parse(readFileSync(recordFile, 'utf8')) as Recorded) : undefined),
  };
}
