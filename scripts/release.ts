import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildImage, imageName } from './images/build.ts';
import { type Engine, existingEngine, startEngine } from './images/engine.ts';
import { type Compressed, parseRepo, pushImage, pushIndex, verifyByDigest } from './images/oci.ts';
import { type Arch, arches, hostArch, repoRoot } from './images/runtime.ts';
import { type Plugin, plugins } from './images/stage.ts';

/**
 * `npm run release -- --prefix registry.example.com/sortie`: what the pipeline's image steps do,
 * from a workstation with a Docker engine. Builds the bundles and every image for linux/amd64 and
 * linux/arm64, pushes each platform by digest and an OCI image index of both under the release
 * tags, and reads every one back by digest.
 *
 *   --prefix <registry/namespace>   where to push: <prefix>/<plugin> for every plugin (required)
 *   --tag <tag>                     repeatable; default: from `git describe` (v1.2.3 -> 1.2.3, 1.2, 1, latest), else <version>-<sha>
 *   --kaniko-image <ref@sha256:..>  the kaniko executor image to build on, pinned by digest (or KANIKO_IMAGE): an
 *                                   index holding both platforms, or give --kaniko-image-arm64 for the arm64 one
 *   --compression zstd|gzip         zstd layers (default) where the registry takes them, else gzip
 *   --local                         start our own dockerd and registry (scripts/images/engine.ts); the prefix defaults to it
 *   --allow-unpinned                accept a kaniko image without a digest (never for a release)
 *   REGISTRY_USERNAME / REGISTRY_PASSWORD: the registry login.
 */
interface PublishOptions {
  readonly prefix: string;
  readonly tags: readonly string[];
  readonly compression: 'zstd' | 'gzip';
  readonly auth?: { username: string; password: string };
  /** 19 by default; the tests use a fast level. */
  readonly zstdLevel?: number;
  readonly log?: (line: string) => void;
}

interface Published {
  readonly plugin: Plugin;
  readonly repository: string;
  /** The image index's. */
  readonly digest: string;
  readonly compression: 'zstd' | 'gzip';
  readonly platforms: ReadonlyArray<{ readonly arch: Arch; readonly digest: string; readonly size: number }>;
}

/** The local images of one plugin, one a platform. */
export type LocalImages = Readonly<Record<Plugin, Partial<Record<Arch, string>>>>;

/**
 * Pushes built images (`local[plugin][arch]`) by digest, then an image index of each plugin's
 * platforms under every tag; reads each image back by digest, and with gzip layers pulls the
 * index on this engine, which must resolve to the image built for this machine.
 */
export async function publish(engine: Engine, local: LocalImages, o: PublishOptions): Promise<Published[]> {
  const log = o.log ?? console.log;
  const out: Published[] = [];
  const compressed = new Map<string, Compressed>();
  let compression = o.compression;
  for (const [plugin, images] of Object.entries(local)) {
    const repository = imageName(o.prefix, plugin);
    const dest = parseRepo(repository, o.auth);
    const pushed = [];
    for (const [arch, image] of Object.entries(images) as Array<[Arch, string]>) {
      const push = () => pushImage(engine, image, dest, [], { compression, level: o.zstdLevel, compressed });
      let one: Awaited<ReturnType<typeof push>>;
      try {
        one = await push();
      } catch (err) {
        if (compression !== 'zstd') throw err;
        log(`${repository}: the registry refused zstd layers (${(err as Error).message.split('\n')[0]}); pushing gzip layers instead`);
        compression = 'gzip';
        one = await push();
      }
      if (one.platform.architecture !== arch) throw new Error(`${image} was built for ${one.platform.architecture}, not ${arch}`);
      await verifyByDigest(dest, one.digest);
      pushed.push({ arch, ...one });
    }
    const digest = await pushIndex(dest, o.tags, pushed);
    if (compression === 'gzip') {
      // The publishing path: pulled back by the index's digest, it is the image built for this machine.
      const ref = `${repository}@${digest}`;
      await engine.docker(['pull', '--quiet', ref]);
      const ids = await Promise.all([images[hostArch()]!, ref].map(async (r) => (await engine.docker(['image', 'inspect', '--format', '{{.Id}}', r])).stdout.trim()));
      if (ids[0] !== ids[1]) throw new Error(`${ref} is ${ids[1]} here, not the ${hostArch()} image built (${ids[0]})`);
    }
    const platforms = pushed.map((p) => ({ arch: p.arch, digest: p.digest, size: p.size }));
    log(`${repository}@${digest}  ${compression}, tags ${o.tags.join(', ')}`);
    for (const p of platforms) log(`  linux/${p.arch}  ${p.digest}  ${(p.size / 1e6).toFixed(1)} MB`);
    out.push({ plugin, repository, digest, compression, platforms });
  }
  return out;
}

/** The tags of a release, as the kaniko plugin's auto_tag gives them for a v1.2.3 tag. */
function releaseTags(): string[] {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const exact = git(['describe', '--tags', '--exact-match', 'HEAD']);
  const m = /^v?(\d+)\.(\d+)\.(\d+)$/.exec(exact);
  if (m) return [`${m[1]}.${m[2]}.${m[3]}`, `${m[1]}.${m[2]}`, m[1]!, 'latest'];
  const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
  return [`${version}-${git(['rev-parse', '--short=8', 'HEAD']) || 'dev'}`];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      prefix: { type: 'string' },
      tag: { type: 'string', multiple: true },
      'kaniko-image': { type: 'string' },
      'kaniko-image-arm64': { type: 'string' },
      compression: { type: 'string', default: 'zstd' },
      local: { type: 'boolean', default: false },
      'allow-unpinned': { type: 'boolean', default: false },
    },
  });
  const compression = values.compression === 'gzip' ? 'gzip' : 'zstd';
  const kanikoImage = values['kaniko-image'] ?? process.env.KANIKO_IMAGE;
  if (!kanikoImage) throw new Error('--kaniko-image (or KANIKO_IMAGE) is required: the kaniko executor image, pinned as <image>@sha256:<digest>');
  // The executor publishes an index: `docker build --platform` takes each platform's image from it.
  const kanikoBase: Record<Arch, string> = { amd64: kanikoImage, arm64: values['kaniko-image-arm64'] ?? kanikoImage };
  for (const [flag, ref] of [['--kaniko-image', kanikoBase.amd64], ['--kaniko-image-arm64', kanikoBase.arm64]] as const) {
    if (!/@sha256:[0-9a-f]{64}$/.test(ref) && !values['allow-unpinned']) {
      throw new Error(`${flag} ${ref} is not pinned by digest; give <image>@sha256:<digest> (or --allow-unpinned for a try-out)`);
    }
  }
  const engine = values.local ? await startEngine({ log: (l) => console.error(l) }) : existingEngine();
  const prefix = values.prefix ?? (values.local ? `${engine.registry}/sortie` : undefined);
  if (!prefix) throw new Error('--prefix is required: the registry and namespace to push to, e.g. registry.example.com/sortie');
  const tags = values.tag?.length ? values.tag : releaseTags();
  const auth = process.env.REGISTRY_USERNAME ? { username: process.env.REGISTRY_USERNAME, password: process.env.REGISTRY_PASSWORD ?? '' } : undefined;
  const work = mkdtempSync(join(tmpdir(), 'sortie-release-'));
  try {
    execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.ts')], { stdio: 'inherit' });
    const local: Record<Plugin, Partial<Record<Arch, string>>> = {};
    for (const plugin of plugins) {
      local[plugin] = {};
      for (const arch of arches) {
        const tags = [`${imageName('sortie', plugin)}:release-${arch}`];
        local[plugin][arch] = await buildImage(engine, plugin, { out: join(work, 'contexts'), tags, arch, kanikoImage: kanikoBase[arch] });
        console.log(`built ${plugin} for linux/${arch}`);
      }
    }
    await publish(engine, local, { prefix, tags, compression, auth });
  } finally {
    rmSync(work, { recursive: true, force: true });
    await engine.stop();
  }
}

if (import.meta.main) {
  main().catch((err: Error) => {
    console.error(`release: ${err.message}`);
    process.exit(1);
  });
}
