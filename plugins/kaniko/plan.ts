import { isAbsolute, join, resolve } from 'node:path';
import { type BuildContext, buildContext } from '../../shared/context/build-context.ts';
import { type Values, readSettings } from '../../shared/settings/index.ts';
import { flagArgs } from './argv.ts';
import { type DockerConfig, configSecrets } from '../../shared/image/docker-config.ts';
import { DOCKER_HUB, ecrRegion, hostOf, imageHost, registryKey, registryType } from '../../shared/image/names.ts';
import { buildRef } from '../../shared/image/tags.ts';
import { type Login, dockerConfig } from './docker-config.ts';
import { localContext, secretEnvNames, secretSpecs } from './flag-values.ts';
import { platformSuffix } from './platform.ts';
import { rules, settings } from './settings.ts';
import { resolveTags } from './tags.ts';

/**
 * Settings and build context -> everything the step will do: the executor's argv and environment,
 * the Docker config to write, the images to report. Pure, so the demo and the unit tests call it
 * with plain objects.
 */
export type KanikoSettings = Values<typeof settings>;

interface PlanInput {
  readonly settings: KanikoSettings;
  readonly build: BuildContext;
  /** The step's environment: `build_args_from_env` and `secrets` name variables of it. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The workspace's `.tags` file, when there is one. */
  readonly tagsFile?: string | undefined;
  /** The node's architecture in OCI's words (platform.ts), for `platform_tag_suffix`. */
  readonly nodeArch: string;
}

export interface BuildPlan {
  readonly executor: string;
  readonly argv: readonly string[];
  /** The command as printed: no secret is ever in argv (build-arg values from the environment are read by the executor). */
  readonly command: string;
  readonly cwd: string;
  /** Laid over the step's environment for the executor. */
  readonly env: Readonly<Record<string, string>>;
  readonly dockerConfigDir: string;
  readonly dockerConfig: DockerConfig;
  readonly googleKey: { readonly path: string; readonly content: string } | undefined;
  /** `repo:tag` of every destination. */
  readonly images: readonly string[];
  /** The `platform_tag_suffix` and where its architecture came from. */
  readonly platformTag: string | undefined;
  readonly push: boolean;
  readonly digestFile: string;
  readonly tarPath: string | undefined;
  /** Where the executor looks for the Dockerfile; empty for a remote context. */
  readonly dockerfiles: readonly string[];
  /** The build context directory; undefined for a remote context (git, s3, gcs ...). */
  readonly contextDir: string | undefined;
  readonly artifact: Artifact | undefined;
  /** Values to mask before anything is printed: the `build_args_from_env` and `secrets` variables, the credentials inside secret settings. */
  readonly secrets: readonly string[];
  readonly warnings: readonly string[];
}

export type Plan = { readonly skip: string } | BuildPlan;

interface Artifact {
  readonly file: string;
  readonly registryUrl: string;
}

export function planBuild(input: PlanInput): Plan {
  const s = input.settings;
  const { build, env } = input;
  const platform = s.platform_tag_suffix ? platformSuffix(s.platform, input.nodeArch, build.stage.arch) : undefined;
  const tagged = resolveTags({
    tags: s.tags,
    tagsFile: input.tagsFile,
    autoTag: s.auto_tag,
    autoTagSuffix: s.auto_tag_suffix,
    platformSuffix: platform?.arch,
    expandTag: s.expand_tag,
    event: build.build.event,
    ref: buildRef(build),
    defaultBranch: build.repo.defaultBranch,
  });
  // Decided before credentials are checked: pull requests from forks get no secrets.
  if ('skip' in tagged) return tagged;

  const push = !s.no_push;
  const repos = [...new Set(s.repo.map((r) => qualified(r, s.registry)))];
  const cacheRepo = s.cache_repo && qualified(s.cache_repo, s.registry);
  const dockerConfigDir = env.DOCKER_CONFIG || '/kaniko/.docker';
  const access = registryAccess(s, repos, cacheRepo, dockerConfigDir, env);

  const images = push || s.tar_path ? repos.flatMap((repo) => tagged.tags.map((t) => `${repo}:${t}`)) : [];
  const flags = flagArgs({ ...s, cache_repo: cacheRepo });
  const destinations = images.map((i) => `--destination=${i}`);
  const argv = [...destinations, ...flags];

  const fromEnv = [...s.build_args_from_env, ...secretEnvNames(secretSpecs(s.secrets) ?? [])];
  const warnings = [
    ...[...new Set(fromEnv)].filter((n) => !env[n]).map((n) => `${n} is not set in the step's environment, so the build gets no value for it.`),
    ...(push ? access.withoutLogin.map((host) => `settings.repo: no login for ${host} (give one in settings.registries); pushing there anonymously.`) : []),
    ...(platform?.warning ? [`settings.platform_tag_suffix: ${platform.warning}`] : []),
  ];
  const workspace = build.workspace;

  return {
    executor: s.executor,
    argv,
    command: [s.executor, ...argv].map(quote).join(' '),
    cwd: workspace,
    env: access.env,
    dockerConfigDir,
    dockerConfig: access.config,
    googleKey: access.googleKey,
    images,
    push,
    platformTag: platform && `-${platform.arch} (${platform.from})`,
    digestFile: resolve(workspace, s.digest_file),
    tarPath: s.tar_path ? resolve(workspace, s.tar_path) : undefined,
    dockerfiles: dockerfileCandidates(workspace, s.dockerfile, s.context, s.context_sub_path),
    contextDir: localContext(s.context) === undefined ? undefined : resolve(workspace, localContext(s.context)!, s.context_sub_path ?? ''),
    artifact:
      s.artifact_file && push
        ? { file: resolve(workspace, s.artifact_file), registryUrl: access.pushRegistry }
        : undefined,
    secrets: [...access.secrets, ...fromEnv.map((n) => env[n] ?? '')].filter((v) => v !== ''),
    warnings,
  };
}

interface RegistryAccess {
  /** The `auths` key of the registry pushed to. */
  readonly pushRegistry: string;
  readonly config: DockerConfig;
  readonly env: Readonly<Record<string, string>>;
  readonly googleKey: BuildPlan['googleKey'];
  readonly secrets: readonly string[];
  /** Registries of `repo` the step has no login or credential helper for. */
  readonly withoutLogin: readonly string[];
}

/** The Docker config, the executor environment and the files that let it pull and push. */
function registryAccess(s: KanikoSettings, repos: readonly string[], cacheRepo: string | undefined, dockerConfigDir: string, stepEnv: PlanInput['env']): RegistryAccess {
  const repoRegistries = repos.map((r) => registryKey(imageHost(r) ?? DOCKER_HUB));
  const pushRegistry = registryKey(s.registry || repoRegistries[0] || DOCKER_HUB);
  const baseRegistry = registryKey(s.base_image_registry || DOCKER_HUB);
  const logins = [
    login(pushRegistry, s.username, s.password),
    login(baseRegistry, s.base_image_username, s.base_image_password),
    ...extraLogins(s.registries),
  ].filter((l): l is Login => l !== undefined);

  // A login the user gave wins over the helper: Docker would ask the helper first.
  const loggedIn = new Set(logins.map((l) => hostOf(l.registry)));
  const ecrHosts = [...new Set([hostOf(pushRegistry), ...repoRegistries.map(hostOf), hostOf(baseRegistry), imageHost(cacheRepo ?? '') ?? ''])].filter(
    (h) => ecrRegion(h) !== undefined && !loggedIn.has(h),
  );
  const config = dockerConfig(s.config, logins, Object.fromEntries(ecrHosts.map((h) => [h, 'ecr-login'])));
  const googleKey = s.json_key ? { path: join(dockerConfigDir, 'google-application-credentials.json'), content: s.json_key } : undefined;
  const region = s.region || ecrHosts.map(ecrRegion).find(Boolean);
  return {
    pushRegistry,
    config,
    env: {
      DOCKER_CONFIG: dockerConfigDir,
      // Without it an arm64 build takes cached layers an amd64 build wrote; a value the step sets wins.
      ...(s.enable_cache && stepEnv.FF_KANIKO_PLATFORM_CACHE_KEY === undefined ? { FF_KANIKO_PLATFORM_CACHE_KEY: 'true' } : {}),
      ...(s.access_key && s.secret_key ? { AWS_ACCESS_KEY_ID: s.access_key, AWS_SECRET_ACCESS_KEY: s.secret_key } : {}),
      ...(region ? { AWS_REGION: region, AWS_DEFAULT_REGION: region } : {}),
      ...(googleKey ? { GOOGLE_APPLICATION_CREDENTIALS: googleKey.path } : {}),
    },
    googleKey,
    // The secret settings themselves are masked already; these are the secrets inside them.
    secrets: [
      ...keyFields(s.json_key),
      ...logins.map((l) => l.password),
      ...configSecrets(config),
    ],
    // The first repo's registry is the one username/password log in to; hosted registries have their own identities.
    withoutLogin: [...new Set(repoRegistries.slice(1))]
      .filter((r) => r !== pushRegistry && config.auths[r] === undefined && registryType(hostOf(r)) === 'Docker')
      .map(hostOf),
  };
}

/** For the demo and tools: the plan of a step whose settings are given as its environment. */
export function planFromEnv(env: Readonly<Record<string, string | undefined>>, tagsFile?: string, nodeArch = 'amd64'): Plan {
  // Drone's default workspace, when the environment does not name one.
  const build = buildContext(env, '/drone/src');
  return planBuild({ settings: readSettings(settings, env, { rules }).values, build, env, tagsFile, nodeArch });
}

/** The private parts of a service account key, which a tool may print on their own. */
function keyFields(jsonKey: string | undefined): string[] {
  try {
    const key: unknown = JSON.parse(jsonKey ?? '');
    return Object.entries(key as Record<string, unknown>)
      .filter(([name, value]) => /key|secret|token/i.test(name) && typeof value === 'string')
      .map(([, value]) => value as string);
  } catch {
    return [];
  }
}

/** plugins/kaniko-ecr and -gcr users give the registry, and the repo and cache repo without it. */
function qualified(repo: string, registry: string | undefined): string {
  if (!registry || imageHost(repo) !== undefined) return repo;
  const key = registryKey(registry);
  return key === DOCKER_HUB ? repo : `${key}/${repo}`;
}

/** A login from a user and password; the rules and the declaration made sure both or neither are set. */
function login(registry: string, username: string | undefined, password: string | undefined): Login | undefined {
  return username && password ? { registry, username, password } : undefined;
}

function extraLogins(registries: unknown): Array<Login | undefined> {
  // The declaration checked that it is a list of {registry, username, password}.
  return ((registries ?? []) as Array<Record<string, string | undefined>>).map((r) => login(registryKey(r.registry!), r.username, r.password));
}

function dockerfileCandidates(workspace: string, dockerfile: string, context: string, subPath: string | undefined): string[] {
  const dir = localContext(context);
  if (dir === undefined) return [];
  if (isAbsolute(dockerfile)) return [dockerfile];
  return [...new Set([resolve(workspace, dockerfile), resolve(workspace, dir, subPath ?? '', dockerfile)])];
}

function quote(arg: string): string {
  return /^[\w@%+=:,./*-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
