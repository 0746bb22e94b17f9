import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, lutimesSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { runtimeLibraries } from './libraries.ts';
import { type Arch, arches, bundledPackages, hostArch, pinnedNode, repoRoot, strippedNode } from './runtime.ts';

/**
 * Stages the build context of one plugin image for one platform: `<out>/<arch>/<plugin>/{runtime,plugin}/`,
 * made only of what the project already has (the pinned Node 24 binary for that platform, stripped;
 * the libraries it links; the machine's CA bundle; a passwd entry; the plugin's bundle and an SBOM
 * of what the bundle holds). The image's Dockerfile then copies it (scripts/images/build.ts `dockerfile()`).
 *
 *   node scripts/images/stage.ts [--out build/images] [--arch amd64|arm64|all] [plugin...]
 *
 * The bundle is not rebuilt here: run `node scripts/build.ts <plugin>` first (npm run build).
 */
/** Every plugin has an image: the folders with a main.ts, as scripts/build.ts bundles them. */
export const plugins: readonly string[] = readdirSync(join(repoRoot, 'plugins'))
  .filter((name) => existsSync(join(repoRoot, 'plugins', name, 'main.ts')))
  .sort();
export type Plugin = string;

/** The user the scratch images run as (not root; the uid distroless images use). */
const USER = { name: 'sortie', uid: 65532 };

/** Where each file goes in the image; the kaniko image keeps everything under /kaniko. */
function layout(plugin: Plugin) {
  if (plugin === 'kaniko') {
    return { dir: '/kaniko/sortie', node: '/kaniko/sortie/node', libDir: '/kaniko/sortie/lib', bundle: '/kaniko/sortie/kaniko.js' };
  }
  // One path for every scratch image, so one Dockerfile's ENTRYPOINT serves them all.
  return { dir: '/sortie', node: '/usr/local/bin/node', libDir: undefined, bundle: '/sortie/plugin.js' };
}

/**
 * Two layers: `runtime/` (Node, its libraries and, for the scratch images, the CA bundle and the
 * user) is the same for sortie/slack and sortie/kubernetes, so a node that pulls both fetches it
 * once; `plugin/` is the bundle, its notices and its SBOM. Every file gets the same mtime
 * (SOURCE_DATE_EPOCH, else 0), so the same inputs give the same layers.
 */
export function stage(plugin: Plugin, out: string, arch: Arch = hostArch()): string {
  const bundle = join(repoRoot, 'dist', `${plugin}.js`);
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run node scripts/build.ts ${plugin}`);
  const context = join(out, arch, plugin);
  rmSync(context, { recursive: true, force: true });
  const runtime = (p: string) => join(context, 'runtime', p);
  const own = (p: string) => join(context, 'plugin', p);
  const put = (from: string, to: string, mode: number) => {
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
    chmodSync(to, mode);
  };
  const write = (to: string, text: string) => {
    mkdirSync(dirname(to), { recursive: true });
    writeFileSync(to, text, { mode: 0o644 });
  };
  const l = layout(plugin);
  const node = strippedNode(arch);
  put(node.path, runtime(l.node), 0o755);
  for (const lib of runtimeLibraries(node.path, arch, pinnedNode().path)) {
    // Scratch images: the libraries at the paths the binary asks for. Kaniko: all in one folder the
    // loader is told about, since kaniko deletes /lib between stages.
    const name = lib.path.split('/').at(-1)!;
    put(lib.source, runtime(l.libDir ? join(l.libDir, name) : lib.path), 0o755);
    // One ENTRYPOINT for every platform, whose loader is ld-linux-x86-64.so.2 or ld-linux-aarch64.so.1.
    if (l.libDir && name.startsWith('ld-linux')) symlinkSync(`lib/${name}`, runtime(`${l.dir}/ld.so`));
  }
  if (plugin !== 'kaniko') {
    put('/etc/ssl/certs/ca-certificates.crt', runtime('/etc/ssl/certs/ca-certificates.crt'), 0o644);
    write(runtime('/etc/passwd'), `root:x:0:0:root:/root:/sbin/nologin\n${USER.name}:x:${USER.uid}:${USER.uid}:${USER.name}:/nonexistent:/sbin/nologin\n`);
    write(runtime('/etc/group'), `root:x:0:\n${USER.name}:x:${USER.uid}:\n`);
    write(runtime('/etc/nsswitch.conf'), 'hosts: files dns\n');
    mkdirSync(runtime('/tmp'), { recursive: true });
    chmodSync(runtime('/tmp'), 0o1777);
  }

  put(bundle, own(l.bundle), 0o644);
  const notices = `${bundle.slice(0, -3)}.js.LEGAL.txt`;
  if (existsSync(notices)) put(notices, own(`${l.dir}/THIRD-PARTY-NOTICES.txt`), 0o644);
  write(own(`${l.dir}/sbom.cdx.json`), JSON.stringify(sbom(plugin, bundle, node.version), null, 2));
  write(own(`${l.dir}/VERSION`), `sortie ${version()} ${plugin}, node ${node.version}\n`);
  const epoch = Number(process.env.SOURCE_DATE_EPOCH ?? 0);
  for (const top of ['runtime', 'plugin']) touchAll(join(context, top), epoch);
  return context;
}

function touchAll(dir: string, epoch: number): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) touchAll(p, epoch);
    lutimesSync(p, epoch, epoch);
  }
  lutimesSync(dir, epoch, epoch);
}

function version(): string {
  return (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * CycloneDX from `npm sbom`, narrowed to the packages esbuild put into this bundle (the plugin's
 * real third-party code), plus the Node runtime it runs on.
 */
function sbom(plugin: Plugin, bundle: string, nodeVersion: string): object {
  // Not `--omit dev`: npm then also drops a runtime package that a dev package shares (html-to-text,
  // which mailparser uses too); the list is narrowed to what the bundle holds below anyway.
  const raw = execFileSync('npm', ['sbom', '--sbom-format', 'cyclonedx', '--package-lock-only'], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const doc = JSON.parse(raw) as {
    metadata: { component: Record<string, unknown> };
    components: Array<{ 'bom-ref': string; name: string; version: string }>;
    dependencies?: Array<{ ref: string; dependsOn?: string[] }>;
  };
  const inBundle = bundledPackages(bundle);
  const components = doc.components.filter((c) => inBundle.get(c.name) === c.version);
  const missing = [...inBundle].filter(([name, v]) => !components.some((c) => c.name === name && c.version === v));
  if (missing.length) throw new Error(`npm sbom does not list ${missing.map(([n, v]) => `${n}@${v}`).join(', ')}, which dist/${plugin}.js holds`);
  const refs = new Set(components.map((c) => c['bom-ref']));
  const root = `sortie-${plugin}@${version()}`;
  // Reproducible: the time is SOURCE_DATE_EPOCH's when set, the serial number a hash of the content.
  const epoch = process.env.SOURCE_DATE_EPOCH;
  const hash = createHash('sha256').update(JSON.stringify([root, components])).digest('hex');
  const serialNumber = `urn:uuid:${hash.slice(0, 8)}-${hash.slice(8, 12)}-5${hash.slice(13, 16)}-a${hash.slice(17, 20)}-${hash.slice(20, 32)}`;
  return {
    ...doc,
    serialNumber,
    metadata: {
      ...doc.metadata,
      ...(epoch ? { timestamp: new Date(Number(epoch) * 1000).toISOString() } : {}),
      component: { ...doc.metadata.component, 'bom-ref': root, type: 'container', name: `sortie/${plugin}`, purl: undefined },
    },
    components: [
      ...components,
      { 'bom-ref': `node@${nodeVersion.slice(1)}`, type: 'platform', name: 'node', version: nodeVersion.slice(1), licenses: [{ license: { id: 'MIT' } }] },
    ],
    dependencies: [
      { ref: root, dependsOn: [...refs, `node@${nodeVersion.slice(1)}`] },
      ...(doc.dependencies ?? []).filter((d) => refs.has(d.ref)).map((d) => ({ ref: d.ref, dependsOn: (d.dependsOn ?? []).filter((r) => refs.has(r)) })),
    ],
  };
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    options: { out: { type: 'string', default: join(repoRoot, 'build', 'images') }, arch: { type: 'string', default: hostArch() } },
    allowPositionals: true,
  });
  const wanted = positionals.length ? positionals : [...plugins];
  const archs = values.arch === 'all' ? [...arches] : [values.arch as Arch];
  for (const arch of archs) if (!arches.includes(arch)) throw new Error(`--arch ${arch}: the platforms are ${arches.join(', ')} (or all)`);
  for (const p of wanted) {
    if (!plugins.includes(p)) throw new Error(`no image for plugin ${p}; images: ${plugins.join(', ')}`);
    for (const arch of archs) console.log(`staged ${stage(p, values.out!, arch)}`);
  }
}
