import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { compileChunk, lazyExports } from '../../../shared/lazy-module.ts';

test('lazyExports loads the module at the first read of an export, once', () => {
  let loads = 0;
  const exports = lazyExports(['a', 'b'], () => {
    loads++;
    return { a: 1, b: 2 };
  }) as { a: number; b: number };
  assert.deepEqual(Object.keys(exports), ['a', 'b']);
  assert.equal(loads, 0);
  assert.equal(exports.a + exports.b, 3);
  assert.equal(loads, 1);
});

test("compileChunk runs CommonJS text with Node's built-ins and the modules it is given", () => {
  const shared = { count: 0 };
  const m = compileChunk("const { join } = require('node:path'); const s = require('sortie:shared.ts'); s.count++; exports.where = join('a', 'b');", 'sortie-lazy:test', { 'shared.ts': () => shared });
  assert.equal(m.where, 'a/b');
  assert.equal(shared.count, 1);
});

test('compileChunk: a missing module names the chunk, and stack frames name it too', () => {
  assert.throws(() => compileChunk("require('left-pad')", 'sortie-lazy:test'), /^Error: sortie-lazy:test: cannot find module 'left-pad'$/);
  assert.throws(
    () => compileChunk('throw new Error("boom")', 'sortie-lazy:thrower'),
    (err: Error) => /sortie-lazy:thrower/.test(err.stack ?? ''),
  );
});

test('compileChunk works where code generation from strings is disallowed (eval, new Function)', () => {
  const script = "import { compileChunk } from './shared/lazy-module.ts'; console.log(compileChunk('exports.ok = 1 + 1', 'sortie-lazy:test').ok);";
  const out = execFileSync(process.execPath, ['--disallow-code-generation-from-strings', '--input-type=module', '-e', script], { cwd: join(import.meta.dirname, '..', '..', '..'), encoding: 'utf8' });
  assert.equal(out, '2\n');
});
