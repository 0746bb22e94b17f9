import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { writePrivateFile } from '../../../shared/private-file.ts';

test('a new file is 0600, and nothing else is left in the directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'private-'));
  writePrivateFile(join(dir, 'config.json'), '{}\n');
  assert.equal(statSync(join(dir, 'config.json')).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir), ['config.json']);
});

test('a 0644 file is replaced by a 0600 one', () => {
  const dir = mkdtempSync(join(tmpdir(), 'private-'));
  writeFileSync(join(dir, 'config.json'), 'old', { mode: 0o644 });
  writePrivateFile(join(dir, 'config.json'), 'new');
  assert.equal(readFileSync(join(dir, 'config.json'), 'utf8'), 'new');
  assert.equal(statSync(join(dir, 'config.json')).mode & 0o777, 0o600);
});

test('a symlink is replaced, never written through', () => {
  const dir = mkdtempSync(join(tmpdir(), 'private-'));
  writeFileSync(join(dir, 'target'), 'keep', { mode: 0o644 });
  symlinkSync(join(dir, 'target'), join(dir, 'config.json'));
  writePrivateFile(join(dir, 'config.json'), 'secret');
  assert.ok(!lstatSync(join(dir, 'config.json')).isSymbolicLink());
  assert.equal(readFileSync(join(dir, 'target'), 'utf8'), 'keep');
  assert.equal(readFileSync(join(dir, 'config.json'), 'utf8'), 'secret');
});
