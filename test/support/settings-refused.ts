import assert from 'node:assert/strict';
import type { ProcessResult } from './process.ts';

/** A step stopped by its settings: exit 1, and exactly these problems, as the log prints them. */
export function assertRefused(r: ProcessResult, problems: readonly string[]): void {
  assert.equal(r.code, 1, r.stdout + r.stderr);
  const lines = problems.length === 1 ? problems : [`${problems.length} settings are wrong:`, ...problems.map((p) => `  ${p}`)];
  assert.equal(r.stderr, lines.map((l) => `error: ${l}\n`).join(''));
}
