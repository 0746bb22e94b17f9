import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';

const preload = join(import.meta.dirname, '..', '..', 'support', 'exit-when-done.ts');

test('a test file that leaves a server open still ends, and every one of its results is counted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sortie-test-exit-'));
  writeFileSync(
    join(dir, 'leaky.test.mjs'),
    [
      "import test from 'node:test';",
      "import http from 'node:http';",
      "test('leaves a server open', async () => { const s = http.createServer(); await new Promise((r) => s.listen(0, '127.0.0.1', r)); });",
      "for (let i = 0; i < 60; i++) test(`t${i}`, () => {});",
    ].join('\n'),
  );
  // Without this the inner runner takes itself for one of the outer runner's test processes.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const run = spawnSync(process.execPath, ['--test', '--test-reporter=tap', '--import', preload, 'leaky.test.mjs'], { cwd: dir, env, encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.signal, null, 'the run was killed: the preload did not end it');
  assert.equal(run.status, 0, run.stdout + run.stderr);
  assert.match(run.stdout, /^# tests 61$/m);
  assert.match(run.stdout, /^# pass 61$/m);
});
