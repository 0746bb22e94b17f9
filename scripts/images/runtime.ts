import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * The Node runtime the images ship: the binary of the pinned `node` npm package (never the machine's
 * own node), stripped, with the shared libraries it links; and Node single executables built from it.
 */
export const repoRoot = join(import.meta.dirname, '..', '..');
export const cacheDir = join(repoRoot, 'node_modules', '.cache', 'sortie-images');

/** The real file behind node_modules/.bin/node. */
export function pinnedNode(): { path: string; version: string } {
  const path = realpathSync(join(repoRoot, 'node_modules', 'node', 'bin', 'node'));
  const version = execFileSync(path, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith('v24.')) throw new Error(`${path} is ${version}, not Node 24: run npm ci`);
  return { path, version };
}

/** `strip --strip-all` of the pinned binary (debug info and symbols: about 40 MB), cached per version. */
export function strippedNode(): { path: string; version: string } {
  const node = pinnedNode();
  const out = join(cacheDir, `node-${node.version}-stripped`);
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(node.path).mtimeMs) {
    mkdirSync(cacheDir, { recursive: true });
    copyFileSync(node.path, `${out}.tmp`);
    execFileSync('strip', ['--strip-all', `${out}.tmp`]);
    renameSync(`${out}.tmp`, out);
  }
  return { path: out, version: node.version };
}

/** What `ldd` lists for a binary: absolute paths of the libraries and of the dynamic loader. */
export function sharedLibraries(binary: string): string[] {
  const out = execFileSync('ldd', [binary], { encoding: 'utf8' });
  const libs = new Set<string>();
  for (const line of out.split('\n')) {
    const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
    if (m) libs.add(m[1]!);
  }
  if (![...libs].some((l) => l.includes('ld-linux'))) throw new Error(`ldd ${binary} names no dynamic loader:\n${out}`);
  return [...libs];
}

interface SeaOptions {
  /** The CommonJS bundle that becomes the executable's main script. */
  readonly main: string;
  readonly output: string;
  readonly useCodeCache?: boolean;
  readonly useSnapshot?: boolean;
}

const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/**
 * A Node single executable: the blob (`--experimental-sea-config`) injected with postject into a copy
 * of the stripped binary. Code cache and snapshot are made by the same binary that runs them.
 */
export function buildSea(o: SeaOptions): string {
  const node = strippedNode();
  const work = `${o.output}.sea`;
  mkdirSync(work, { recursive: true });
  const blob = join(work, 'sea-prep.blob');
  const config = {
    main: o.main,
    output: blob,
    disableExperimentalSEAWarning: true,
    useCodeCache: o.useCodeCache ?? false,
    useSnapshot: o.useSnapshot ?? false,
  };
  writeFileSync(join(work, 'sea-config.json'), JSON.stringify(config));
  execFileSync(node.path, ['--experimental-sea-config', join(work, 'sea-config.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
  copyFileSync(node.path, o.output);
  const postject = join(createRequire(import.meta.url).resolve('postject/package.json'), '..', 'dist', 'cli.js');
  execFileSync(pinnedNode().path, [postject, o.output, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', SEA_FUSE], { stdio: ['ignore', 'ignore', 'pipe'] });
  return o.output;
}

/** Packages (name -> version) whose files esbuild put into a bundle, from its source map. */
export function bundledPackages(bundle: string): Map<string, string> {
  const map = JSON.parse(readFileSync(`${bundle}.map`, 'utf8')) as { sources: string[] };
  const found = new Map<string, string>();
  for (const source of map.sources) {
    // `../node_modules/@scope/name/dist/x.js`, `../node_modules/a/node_modules/b/x.js`: the last one.
    const m = /^(.*node_modules\/((?:@[^/]+\/)?[^/]+))\//.exec(source);
    if (!m) continue;
    const pkg = JSON.parse(readFileSync(join(bundle, '..', m[1]!, 'package.json'), 'utf8')) as { name: string; version: string };
    found.set(pkg.name, pkg.version);
  }
  return found;
}
