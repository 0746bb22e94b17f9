import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Engine, existingEngine } from './engine.ts';
import { type Plugin, plugins, stage } from './stage.ts';
import { repoRoot } from './runtime.ts';

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
  /** Base of the kaniko image (KANIKO_IMAGE). */
  readonly kanikoImage?: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
}

/** For the scratch images; images/kaniko/Dockerfile says its own. */
const DESCRIPTIONS: Record<Exclude<Plugin, 'kaniko'>, string> = {
  slack: 'Drone plugin: Slack notifications (webhook or Web API, threads, templates)',
  kubernetes: 'Drone plugin: deploy to Kubernetes with server-side apply, in-cluster or kubeconfig auth',
  teams: 'Drone plugin: Microsoft Teams notifications (Workflows webhooks, Adaptive Cards, templates)',
  'google-chat': 'Drone plugin: Google Chat notifications (webhooks, cards, threads, templates)',
  manifest: 'Drone plugin: join per-architecture images under one tag (OCI image index or Docker manifest list)',
  discord: 'Drone plugin: Discord notifications (webhooks, threads and forum posts, templates)',
  telegram: 'Drone plugin: Telegram notifications (bot, MarkdownV2 or HTML, forum topics, templates)',
  matrix: 'Drone plugin: Matrix notifications (HTML with a plain body, aliases, templates)',
};

/** The Dockerfile of a plugin's image and the build args that make it that plugin's. */
export function dockerfile(plugin: Plugin): { path: string; args: Record<string, string> } {
  if (plugin === 'kaniko') return { path: join(repoRoot, 'images', 'kaniko', 'Dockerfile'), args: {} };
  return { path: join(repoRoot, 'images', 'scratch', 'Dockerfile'), args: { PLUGIN: plugin, DESCRIPTION: DESCRIPTIONS[plugin] } };
}

/** Stages the context and runs `docker build` with the classic builder. */
export async function buildImage(engine: Engine, plugin: Plugin, o: BuildOptions): Promise<string> {
  const context = stage(plugin, o.out);
  const file = dockerfile(plugin);
  const args = { ...file.args, ...labelArgs(), ...o.buildArgs, ...(plugin === 'kaniko' && o.kanikoImage ? { KANIKO_IMAGE: o.kanikoImage } : {}) };
  await engine.docker([
    'build',
    '--quiet',
    '-f', file.path,
    ...o.tags.flatMap((t) => ['-t', t]),
    ...Object.entries(args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
    context,
  ]);
  return o.tags[0]!;
}

/**
 * `node scripts/images/build.ts [--prefix sortie] [--tag local] [--kaniko-image <ref>] [plugin...]`:
 * the images on this workstation's Docker engine, from the bundles in dist/ (npm run build first).
 */
if (import.meta.main) {
  const { values, positionals } = parseArgs({
    options: { prefix: { type: 'string', default: 'sortie' }, tag: { type: 'string', default: 'local' }, 'kaniko-image': { type: 'string' }, out: { type: 'string', default: join(repoRoot, 'build', 'images') } },
    allowPositionals: true,
  });
  const engine = existingEngine();
  for (const plugin of (positionals.length ? positionals : plugins) as Plugin[]) {
    if (plugin === 'kaniko' && !values['kaniko-image']) {
      console.error('kaniko: skipped, give --kaniko-image <kaniko executor image>');
      continue;
    }
    const tag = `${imageName(values.prefix!, plugin)}:${values.tag}`;
    await buildImage(engine, plugin, { out: values.out!, tags: [tag], kanikoImage: values['kaniko-image'] });
    console.log(`built ${tag}`);
  }
}
