import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Engine, existingEngine } from './engine.ts';
import { type Plugin, plugins, stage } from './stage.ts';
import { type Arch, arches, hostArch, repoRoot } from './runtime.ts';

/** `<prefix>/<plugin>`: `sortie/slack`, or a fork's or a registry's own prefix. */
export function imageName(prefix: string, plugin: Plugin): string {
  return `${prefix.replace(/\/+$/, '')}/${plugin}`;
}

/** The OCI label values: package version, git commit, source repository. */
function labelArgs(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const remote = git(['remote', 'get-url', 'origin']).replace(/^git@([^:]+):/, 'https://$1/').replace(/\.git$/, '');
  const args: Record<string, string> = { VERSION: pkg.version, REVISION: git(['rev-parse', 'HEAD']) || 'unknown' };
  const source = process.env.SORTIE_SOURCE ?? remote;
  if (source) args.SOURCE = source;
  return args;
}

interface BuildOptions {
  /** Where the build contexts are staged. */
  readonly out: string;
  /** Full image references to tag the result with. */
  readonly tags: readonly string[];
  /** The platform built (linux/<arch>); this machine's own by default. */
  readonly arch?: Arch;
  /** Base of the kaniko image (KANIKO_IMAGE), for the same platform. */
  readonly kanikoImage?: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
}

/**
 * The image's description label: the first sentence of the plugin's README (under its `# sortie/<name>`
 * title), so a new plugin's image is described where the plugin is.
 */
export function description(plugin: Plugin): string {
  const readme = readFileSync(join(repoRoot, 'plugins', plugin, 'README.md'), 'utf8');
  const paragraph = readme.split(/\n\s*\n/).find((p) => p.trim() && !p.trimStart().startsWith('#'));
  const text = (paragraph ?? '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`|\*\*/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const sentence = /^.*?[.!?](?=\s[A-Z]|$)/.exec(text)?.[0] ?? text;
  if (!sentence) throw new Error(`plugins/${plugin}/README.md has no paragraph under its title to describe the image with`);
  return `Drone plugin: ${sentence}`;
}

/** The Dockerfile of a plugin's image (images/<plugin>/ when it has its own, else images/scratch) and its build args. */
export function dockerfile(plugin: Plugin): { path: string; args: Record<string, string> } {
  const own = join(repoRoot, 'images', plugin, 'Dockerfile');
  const args = { DESCRIPTION: description(plugin) };
  if (existsSync(own)) return { path: own, args };
  return { path: join(repoRoot, 'images', 'scratch', 'Dockerfile'), args: { PLUGIN: plugin, ...args } };
}

/** Stages the context and runs `docker build` with the classic builder, for one platform (no emulation: no RUN). */
export async function buildImage(engine: Engine, plugin: Plugin, o: BuildOptions): Promise<string> {
  const arch = o.arch ?? hostArch();
  const context = stage(plugin, o.out, arch);
  const file = dockerfile(plugin);
  const args = { ...file.args, ...labelArgs(), ...o.buildArgs, ...(plugin === 'kaniko' && o.kanikoImage ? { KANIKO_IMAGE: o.kanikoImage } : {}) };
  await engine.docker([
    'build',
    '--quiet',
    // The classic builder's cache ignores the platform: an arm64 build would reuse amd64 steps.
    '--no-cache',
    '--platform', `linux/${arch}`,
    '-f', file.path,
    ...o.tags.flatMap((t) => ['-t', t]),
    ...Object.entries(args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
    context,
  ]);
  return o.tags[0]!;
}

/**
 * `node scripts/images/build.ts [--prefix sortie] [--tag local] [--arch amd64|arm64] [--kaniko-image <ref>] [plugin...]`:
 * the images on this workstation's Docker engine, from the bundles in dist/ (npm run build first).
 */
if (import.meta.main) {
  const { values, positionals } = parseArgs({
    options: {
      prefix: { type: 'string', default: 'sortie' },
      tag: { type: 'string', default: 'local' },
      arch: { type: 'string', default: hostArch() },
      'kaniko-image': { type: 'string' },
      out: { type: 'string', default: join(repoRoot, 'build', 'images') },
    },
    allowPositionals: true,
  });
  const arch = values.arch as Arch;
  if (!arches.includes(arch)) throw new Error(`--arch ${arch}: the platforms are ${arches.join(', ')}`);
  const engine = existingEngine();
  for (const plugin of positionals.length ? positionals : plugins) {
    if (plugin === 'kaniko' && !values['kaniko-image']) {
      console.error('kaniko: skipped, give --kaniko-image <kaniko executor image>');
      continue;
    }
    const tag = `${imageName(values.prefix!, plugin)}:${values.tag}`;
    await buildImage(engine, plugin, { out: values.out!, tags: [tag], arch, kanikoImage: values['kaniko-image'] });
    console.log(`built ${tag}`);
  }
}
