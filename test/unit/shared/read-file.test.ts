import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PluginError } from '../../../shared/errors.ts';
import { readBoundedFile, readTextFile, utf8Text } from '../../../shared/read-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'read-file-'));
const label = (shown: string, maxBytes = 1024) => ({ shown, maxBytes });

test('a missing file is undefined; a file is read whole', () => {
  assert.equal(readBoundedFile(join(dir, 'none'), label('none')), undefined);
  assert.equal(readBoundedFile(join(dir, 'none', 'deeper'), label('none/deeper')), undefined);
  writeFileSync(join(dir, 'a.txt'), 'hello\n');
  assert.equal(readTextFile(join(dir, 'a.txt'), label('a.txt')), 'hello\n');
});

test('a directory, FIFO or device is refused before it is opened, naming the setting', () => {
  const fifo = join(dir, 'fifo');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const cases: Array<[string, string]> = [[dir, 'a directory'], [fifo, 'a named pipe (FIFO)'], ['/dev/zero', 'a device']];
  for (const [path, kind] of cases) {
    assert.throws(() => readBoundedFile(path, { shown: path, setting: 'env_file', maxBytes: 1024 }), (e: unknown) => e instanceof PluginError && e.message === `settings.env_file: ${path} is ${kind}, not a file`);
  }
});

test('a file over the limit is refused by its size, before reading', () => {
  writeFileSync(join(dir, 'big'), Buffer.alloc(3000));
  assert.throws(() => readBoundedFile(join(dir, 'big'), label('big', 2048)), /^PluginError: big is 2.9 KiB, more than the 2 KiB this plugin reads$/);
});

test('invalid UTF-8 names the line and the byte', () => {
  const text = Buffer.concat([Buffer.from('ok\nälso ok\nbad '), Buffer.from([0xe2, 0x28, 0xa1]), Buffer.from('\n')]);
  assert.throws(() => utf8Text(text, 'f.yaml'), /^PluginError: f\.yaml:3: not valid UTF-8 \(byte 0xe2 at byte 5 of the line\)$/);
  assert.throws(() => utf8Text(Buffer.from([0x61, 0xc3]), 'cut.txt'), /cut\.txt:1: not valid UTF-8 \(byte 0xc3 at byte 2 of the line\)/);
  assert.equal(utf8Text(Buffer.from('grüße ✓ 🚀\n'), 'fine'), 'grüße ✓ 🚀\n');
});
