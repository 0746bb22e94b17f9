import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { bundledPackages, repoRoot, sharedLibraries, strippedNode } from './runtime.ts';

/**
 * Stages the build context of one plugin image: `<out>/<plugin>/{runtime,plugin}/`, made only of what the
 * project already has (the pinned Node 24 binary, stripped; the libraries `ldd` lists for it; the
 * machine's CA bundle; a passwd entry; the plugin's bundle and an SBOM of what the bundle holds).
 * The image's Dockerfile then copies it (scripts/images/build.ts `dockerfile()`).
 *
 *   node scripts/images/stage.ts [--out build/images] [plugin...]
 *
 * The bundle is not rebuilt here: run `node scripts/build.ts <plugin>` first (npm run build).
 */
export const plugins = ['slack', 'kubernetes', 'kaniko', 'manifest', 'teams', 'google-chat', 'discord', 'telegram', 'matrix'] as const;
export type Plugin = (typeof plugins)[number];

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
export function stage(plugin: Plugin, out: string): string {
  const bundle = join(repoRoot, 'dist', `${plugin}.js`);
  if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run node scripts/build.ts ${plugin}`);
  const context = join(out, plugin);
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
  const node = strippedNode();
  put(node.path, runtime(l.node), 0o755);
  for (const lib of sharedLibraries(node.path)) {
    // Scratch images: the libraries at the paths the binary asks for. Kaniko: all in one folder the
    // loader is told about, since kaniko deletes /lib between stages.
    put(lib, runtime(l.libDir ? join(l.libDir, lib.split('/').at(-1)!) : lib), 0o755);
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
    utimesSync(p, epoch, epoch);
  }
  utimesSync(dir, epoch, epoch);
}

function version(): string {
  return (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

/**
 * CycloneDX from `npm sbom`, narrowed to the packages esbuild put into this bundle (the plugin's
 * real third-party code), plus the Node runtime it runs on.
 */
function sbom(plugin: Plugin, bundle: string, nodeVersion: string): object {
  const raw = execFileSync('npm', ['sbom', '--sbom-format', 'cyclonedx', '--omit', 'dev', '--package-lock-only'], {
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
  const { values, positionals } = parseArgs({ options: { out: { type: 'string', default: join(repoRoot, 'build', 'images') } }, allowPositionals: true });
  const wanted = positionals.length ? positionals : [...plugins];
  for (const p of wanted) {
    if (!plugins.includes(p as Plugin)) throw new Error(`no image for plugin ${p}; images: ${plugins.join(', ')}`);
    console.log(`staged ${stage(p as Plugin, values.out!)}`);
  }
}
