import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { type Arch, cacheDir, hostArch, platforms, sharedLibraries } from './runtime.ts';

/** A file of an image's runtime: where its bytes are on this machine, and its path in the image. */
export interface RuntimeFile {
  readonly source: string;
  readonly path: string;
}

/**
 * The libraries `binary` (built for `arch`) links, and its dynamic loader. On this machine's own
 * architecture, what `ldd` lists. For another, the same Debian packages that hold what `ldd`
 * lists for `hostBinary` (its build for this machine), in their builds for `arch`: downloaded
 * (`apt-get download libc6:arm64=<the installed version>`) and unpacked (`dpkg-deb -x`), never
 * installed; the files are the ones `binary`'s ELF headers ask for (`readelf`), found in them, so
 * nothing built for `arch` ever runs here.
 */
export function runtimeLibraries(binary: string, arch: Arch, hostBinary: string): RuntimeFile[] {
  if (arch === hostArch()) return sharedLibraries(binary).map((p) => ({ source: p, path: p }));
  const root = unpacked([...new Set(sharedLibraries(hostBinary).map(owningPackage))].sort(), arch);
  const libDir = `/lib/${platforms[arch].triple}`;
  const found = new Map<string, RuntimeFile>();
  const visit = (elf: string) => {
    for (const soname of dynamic(elf).needed) {
      if (found.has(soname)) continue;
      const source = [libDir, `/usr${libDir}`, '/lib', '/usr/lib'].map((d) => join(root, d, soname)).find((p) => existsSync(p));
      if (!source) throw new Error(`${soname}, which ${elf} needs, is in none of the ${arch} packages unpacked in ${root}`);
      found.set(soname, { source: resolveIn(root, source), path: posix.join(libDir, soname) });
      visit(source);
    }
  };
  visit(binary);
  const loader = dynamic(binary).interpreter;
  if (!loader) throw new Error(`${binary} names no dynamic loader`);
  // The loader is also a NEEDED entry of the binary and of libc: it lives at the path the binary asks for.
  found.set(posix.basename(loader), { source: resolveIn(root, join(root, loader)), path: loader });
  return [...found.values()];
}

/** `libc6` for /lib/x86_64-linux-gnu/libc.so.6 (tried as given, without symlinks, and under /usr: merged /usr). */
function owningPackage(file: string): string {
  const candidates = [file, lstatSync(file).isSymbolicLink() ? join(dirname(file), readlinkSync(file)) : file, file.startsWith('/usr/') ? file.slice(4) : `/usr${file}`];
  for (const p of candidates) {
    try {
      const out = execFileSync('dpkg-query', ['-S', p], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      return out.split(':')[0]!.trim();
    } catch {
      // Not this spelling of the path.
    }
  }
  throw new Error(`no Debian package holds ${file} (dpkg-query -S): the libraries of another platform are taken from Debian's packages`);
}

/** The packages' builds for `arch` at the versions installed here, unpacked into one folder (cached). */
function unpacked(packages: readonly string[], arch: Arch): string {
  const versions = packages.map((p) => `${p}:${arch}=${execFileSync('dpkg-query', ['-W', '-f', '${Version}', p], { encoding: 'utf8' }).trim()}`);
  const root = join(cacheDir, `debian-${arch}`, versions.join('_').replace(/[^\w.+-]+/g, '_'));
  if (existsSync(root)) return root;
  const work = `${root}.tmp`;
  rmSync(work, { recursive: true, force: true });
  mkdirSync(join(work, 'debs'), { recursive: true });
  try {
    execFileSync('apt-get', ['download', ...versions], { cwd: join(work, 'debs'), stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (err) {
    throw new Error(
      `apt-get download ${versions.join(' ')} failed; is ${arch} a known architecture? ` +
        `(dpkg --add-architecture ${arch} && apt-get update)\n${String((err as { stderr?: Buffer }).stderr ?? err).trim()}`,
    );
  }
  for (const deb of readdirSync(join(work, 'debs'))) execFileSync('dpkg-deb', ['-x', join(work, 'debs', deb), join(work, 'root')]);
  mkdirSync(dirname(root), { recursive: true });
  renameSync(join(work, 'root'), root);
  rmSync(work, { recursive: true, force: true });
  return root;
}

/** A path inside `root` with its symlinks followed inside `root` (an absolute target is taken from `root`). */
function resolveIn(root: string, path: string): string {
  let p = path;
  for (let hops = 0; hops < 40; hops++) {
    if (!lstatSync(p).isSymbolicLink()) return p;
    const target = readlinkSync(p);
    p = target.startsWith('/') ? join(root, target) : join(dirname(p), target);
  }
  throw new Error(`${path}: too many symlinks`);
}

/** The NEEDED entries and the program interpreter of an ELF file of any architecture (binutils' readelf). */
function dynamic(elf: string): { needed: string[]; interpreter?: string } {
  const out = execFileSync('readelf', ['-W', '-d', '-l', elf], { encoding: 'utf8', maxBuffer: 16 << 20 });
  const needed = [...out.matchAll(/\(NEEDED\)\s+Shared library: \[([^\]]+)\]/g)].map((m) => m[1]!);
  return { needed, interpreter: /Requesting program interpreter: ([^\]]+)\]/.exec(out)?.[1] };
}
