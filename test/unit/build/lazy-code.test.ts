import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { build } from 'esbuild';
import { lazyCode } from '../../../scripts/build/lazy-code.ts';
import { unpackChunk } from '../../../shared/lazy-module.ts';

const options = { platform: 'node', target: 'node24', format: 'cjs', minify: true } as const;

function fixture(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'sortie-lazy-code-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

async function bundle(dir: string): Promise<string> {
  const lazy = await lazyCode(join(dir, 'entry.js'), options, [], []);
  const outfile = join(dir, 'out.js');
  await build({ ...options, entryPoints: [join(dir, 'entry.js')], outfile, bundle: true, logLevel: 'silent', plugins: [lazy.plugin] });
  return outfile;
}

test('a module reached through import() is a string in the bundle, and shares the modules the bundle loads at start', async () => {
  const dir = fixture({
    'state.js': 'export const state = { n: 0 };',
    'lazy.js': "import { state } from './state.js'; export function bump() { return ++state.n + 'from-the-chunk'; }",
    'entry.js': "import { state } from './state.js'; state.n = 41; import('./lazy.js').then((m) => console.log(m.bump(), state.n));",
  });
  const out = await bundle(dir);
  assert.equal(execFileSync(process.execPath, [out], { encoding: 'utf8' }), '42from-the-chunk 42\n');
  // The chunk's code is a string literal, packed: never compiled until import() asks for it.
  const text = readFileSync(out, 'utf8');
  assert.doesNotMatch(text, /from-the-chunk/);
  const literal = /\.compileChunk\(\w+\.unpackChunk\("([A-Za-z0-9+/=]+)"\)/.exec(text)?.[1];
  assert.match(unpackChunk(literal ?? ''), /from-the-chunk/);
});

test('two chunks that would hold the same module fail the build, naming it', async () => {
  const dir = fixture({
    'common.js': 'export const common = {};',
    'a.js': "export { common as a } from './common.js';",
    'b.js': "export { common as b } from './common.js';",
    'entry.js': "import('./a.js'); import('./b.js');",
  });
  await assert.rejects(bundle(dir), /common\.js would be in two lazy chunks/);
});
