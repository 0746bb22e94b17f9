import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const stdio = join(import.meta.dirname, '..', '..', '..', 'shared', 'stdio.ts');
// 4 MiB of multi-byte text: far more than a pipe holds, so the writer has to wait for its reader.
const writer = `import(${JSON.stringify(stdio)}).then(({ writeFd }) => { writeFd(1, 'é'.repeat(2 * 1024 * 1024)); writeFd(2, 'done'); })`;

function through(reader: string) {
  return spawnSync('sh', ['-c', `"$NODE" -e "$WRITER" | ${reader}`], { env: { ...process.env, NODE: process.execPath, WRITER: writer }, encoding: 'utf8' });
}

test('writeFd delivers every byte through a pipe its reader drains slowly', () => {
  const r = through('(sleep 0.2; wc -c)');
  assert.equal(r.stderr, 'done');
  assert.equal(r.stdout.trim(), String(4 * 1024 * 1024));
});

test('writeFd stops quietly when the reader is gone (EPIPE)', () => {
  const r = through('head -c 1 >/dev/null');
  assert.equal(r.stderr, 'done');
  assert.equal(r.status, 0);
});
