import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PluginError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/log.ts';
import { MAX_SMALL_FILE_BYTES } from '../../shared/limits.ts';
import type { PluginInput } from '../../shared/plugin.ts';
import { writePrivateFile } from '../../shared/private-file.ts';
import { readTextFile } from '../../shared/read-file.ts';
import { stopOf } from '../../shared/stop.ts';
import { DOCKER_HUB, dockerArtifact, imageHost } from '../../shared/image/names.ts';
import { execute } from './executor.ts';
import { type BuildPlan, planBuild } from './plan.ts';
import { ociArch } from './platform.ts';
import { refusalHint, refusedRegistry } from './registry-refusal.ts';
import type { settings } from './settings.ts';

export async function run({ settings: s, build, env, log, registerSecrets, signal }: PluginInput<typeof settings>): Promise<number> {
  const tagsFile = s.tags.length > 0 ? undefined : readIfExists(join(build.workspace, '.tags'), '.tags');
  const plan = planBuild({ settings: s, build, env, tagsFile, nodeArch: ociArch(process.arch, String((process.config.variables as Record<string, unknown>).arm_version ?? '')) });
  if ('skip' in plan) {
    log.info(plan.skip);
    return 0;
  }
  registerSecrets(plan.secrets);
  for (const warning of plan.warnings) log.warn(warning);
  if (plan.platformTag) log.info(`platform_tag_suffix: the tags end in ${plan.platformTag}`);
  requireContext(plan.contextDir, s.context, s.context_sub_path);
  requireDockerfile(plan.dockerfiles, s.dockerfile);
  prepare(plan, log);

  log.info(`+ ${plan.command}`);
  log.debug(`the executor's environment adds ${Object.keys(plan.env).join(', ')} and drops the PLUGIN_ settings`);
  let refused: string | undefined;
  const onLine = (line: string) => {
    refused ??= refusedRegistry(line);
  };
  const code = await execute(plan.executor, plan.argv, { cwd: plan.cwd, env: { ...stepEnv(env), ...plan.env }, signal, onLine });
  const stop = stopOf(signal);
  if (stop) {
    log.error(`${stop.message}: the executor got the signal and exited with code ${code}; nothing is reported as pushed.`);
    return code === 0 ? stop.exitCode : code;
  }
  if (code !== 0) {
    log.error(`the executor exited with code ${code}.`);
    if (refused !== undefined) log.info(`hint: ${refusalHint(refused, plan.dockerConfig, imageHost(plan.images[0] ?? '') ?? DOCKER_HUB)}`);
    return code;
  }
  report(plan, log);
  return 0;
}

function requireContext(dir: string | undefined, context: string, subPath: string | undefined): void {
  if (dir === undefined || statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return;
  const given = subPath ? `settings.context ${context} with settings.context_sub_path ${subPath}` : `settings.context ${context}`;
  throw new PluginError(`${given}: ${dir} is not a directory`, {
    hint: 'The build context is a directory relative to the workspace (the repository root), or a remote context such as git://.',
  });
}

function requireDockerfile(candidates: readonly string[], dockerfile: string): void {
  if (candidates.length === 0 || candidates.some(exists)) return;
  throw new PluginError(`the Dockerfile ${dockerfile} does not exist: looked for ${candidates.join(' and ')}.`, {
    hint: 'settings.dockerfile is a path relative to the workspace or to settings.context.',
  });
}

function prepare(plan: BuildPlan, log: Logger): void {
  const file = join(plan.dockerConfigDir, 'config.json');
  try {
    mkdirSync(plan.dockerConfigDir, { recursive: true });
    writePrivateFile(file, JSON.stringify(plan.dockerConfig, null, 2) + '\n');
    if (plan.googleKey) writePrivateFile(plan.googleKey.path, plan.googleKey.content);
    if (plan.tarPath) mkdirSync(dirname(plan.tarPath), { recursive: true });
    // A digest left by an earlier build must not be reported as this one's.
    rmSync(plan.digestFile, { force: true });
  } catch (err) {
    throw new PluginError(`cannot prepare the build: ${(err as Error).message}`, { hint: 'DOCKER_CONFIG must name a writable directory.', cause: err });
  }
  const logins = Object.keys(plan.dockerConfig.auths);
  const helpers = Object.entries(plan.dockerConfig.credHelpers ?? {}).map(([host, helper]) => `${host} (${helper})`);
  log.info(`registry credentials in ${file}: ${[...logins, ...helpers].join(', ') || 'none'}`);
}

function report(plan: BuildPlan, log: Logger): void {
  const digest = readIfExists(plan.digestFile, plan.digestFile)?.trim();
  if (!digest) {
    log.warn(`the executor wrote no digest to ${plan.digestFile}${plan.artifact ? ', so no artifact file is written' : ''}.`);
    return;
  }
  if (!plan.push) log.info(`built ${digest}${plan.tarPath ? `, saved to ${plan.tarPath}` : ''}`);
  else for (const image of plan.images) log.info(`pushed ${image}@${digest}`);
  if (!plan.artifact) return;
  try {
    mkdirSync(dirname(plan.artifact.file), { recursive: true });
    writeFileSync(plan.artifact.file, JSON.stringify(dockerArtifact(plan.artifact.registryUrl, plan.images, digest), null, 2) + '\n');
  } catch (err) {
    log.warn(`cannot write the artifact file: ${(err as Error).message}`);
  }
}

/** The executor needs none of the plugin's settings, and some of them are secrets. */
function stepEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('PLUGIN_')));
}

function exists(path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function readIfExists(path: string, shown: string): string | undefined {
  return readTextFile(path, { shown, maxBytes: MAX_SMALL_FILE_BYTES });
}
