import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildImage, imageName } from './images/build.ts';
import { type Engine, existingEngine, startEngine } from './images/engine.ts';
import { type Compressed, parseRepo, pushZstd, verifyByDigest } from './images/oci.ts';
import { repoRoot } from './images/runtime.ts';
import { type Plugin, plugins } from './images/stage.ts';

/**
 * `npm run release -- --prefix registry.example.com/sortie`: what the pipeline's image steps do,
 * from a workstation with a Docker engine. Builds the bundles and every image, pushes them under
 * the release tags, and pulls each back by digest.
 *
 *   --prefix <registry/namespace>   where to push: <prefix>/slack, <prefix>/kubernetes, <prefix>/kaniko (required)
 *   --tag <tag>                     repeatable; default: from `git describe` (v1.2.3 -> 1.2.3, 1.2, 1, latest), else <version>-<sha>
 *   --kaniko-image <ref@sha256:..>  the kaniko executor image to build on, pinned by digest (or KANIKO_IMAGE)
 *   --compression zstd|gzip         zstd layers (default) where the registry takes them, else gzip
 *   --local                         start our own dockerd and registry (scripts/images/engine.ts); the prefix defaults to it
 *   --allow-unpinned                accept a kaniko image without a digest (never for a release)
 *   REGISTRY_USERNAME / REGISTRY_PASSWORD: the registry login for the zstd push (the docker push uses `docker login`).
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
  readonly digest: string;
  readonly compression: 'zstd' | 'gzip';
  readonly size: number;
}

/** Pushes built images (`local[plugin]`) under every tag, then reads each back by digest. */
export async function publish(engine: Engine, local: Partial<Record<Plugin, string>>, o: PublishOptions): Promise<Published[]> {
  const log = o.log ?? console.log;
  const out: Published[] = [];
  const compressed = new Map<string, Compressed>();
  for (const [plugin, image] of Object.entries(local) as Array<[Plugin, string]>) {
    const repository = imageName(o.prefix, plugin);
    let compression = o.compression;
    let digest = '';
    if (compression === 'zstd') {
      try {
        digest = (await pushZstd(engine, image, parseRepo(repository, o.auth), o.tags, { compressed, level: o.zstdLevel })).digest;
      } catch (err) {
        log(`${repository}: the registry refused zstd layers (${(err as Error).message.split('\n')[0]}); pushing gzip layers instead`);
        compression = 'gzip';
      }
    }
    if (compression === 'gzip') {
      for (const tag of o.tags) {
        await engine.docker(['tag', image, `${repository}:${tag}`]);
        const pushed = await engine.docker(['push', `${repository}:${tag}`]);
        digest = /digest: (sha256:[0-9a-f]{64})/.exec(pushed.stdout)?.[1] ?? '';
        if (!digest) throw new Error(`docker push ${repository}:${tag} printed no digest:\n${pushed.stdout}`);
      }
      // The publishing path: pulled back by digest, it is the image built.
      await engine.docker(['pull', '--quiet', `${repository}@${digest}`]);
      const ids = await Promise.all([image, `${repository}@${digest}`].map(async (ref) => (await engine.docker(['image', 'inspect', '--format', '{{.Id}}', ref])).stdout.trim()));
      if (ids[0] !== ids[1]) throw new Error(`${repository}@${digest} is ${ids[1]}, not the image built (${ids[0]})`);
    }
    const verified = await verifyByDigest(parseRepo(repository, o.auth), digest);
    log(`${repository}@${digest}  ${compression}, ${(verified.size / 1e6).toFixed(1)} MB, tags ${o.tags.join(', ')}`);
    out.push({ plugin, repository, digest, compression, size: verified.size });
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
      compression: { type: 'string', default: 'zstd' },
      local: { type: 'boolean', default: false },
      'allow-unpinned': { type: 'boolean', default: false },
    },
  });
  const compression = values.compression === 'gzip' ? 'gzip' : 'zstd';
  const kanikoImage = values['kaniko-image'] ?? process.env.KANIKO_IMAGE;
  if (!kanikoImage) throw new Error('--kaniko-image (or KANIKO_IMAGE) is required: the kaniko executor image, pinned as <image>@sha256:<digest>');
  if (!/@sha256:[0-9a-f]{64}$/.test(kanikoImage) && !values['allow-unpinned']) {
    throw new Error(`--kaniko-image ${kanikoImage} is not pinned by digest; give <image>@sha256:<digest> (or --allow-unpinned for a try-out)`);
  }
  const engine = values.local ? await startEngine({ log: (l) => console.error(l) }) : existingEngine();
  const prefix = values.prefix ?? (values.local ? `${engine.registry}/sortie` : undefined);
  if (!prefix) throw new Error('--prefix is required: the registry and namespace to push to, e.g. registry.example.com/sortie');
  const tags = values.tag?.length ? values.tag : releaseTags();
  const auth = process.env.REGISTRY_USERNAME ? { username: process.env.REGISTRY_USERNAME, password: process.env.REGISTRY_PASSWORD ?? '' } : undefined;
  const work = mkdtempSync(join(tmpdir(), 'sortie-release-'));
  try {
    execFileSync(process.execPath, [join(repoRoot, 'scripts', 'build.ts')], { stdio: 'inherit' });
    const local: Partial<Record<Plugin, string>> = {};
    for (const plugin of plugins) {
      local[plugin] = await buildImage(engine, plugin, { out: join(work, 'contexts'), tags: [`${imageName('sortie', plugin)}:release`], kanikoImage });
      console.log(`built ${plugin}`);
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
