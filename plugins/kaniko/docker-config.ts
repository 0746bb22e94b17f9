/**
 * The executor's Docker config (`$DOCKER_CONFIG/config.json`) and the registry naming it depends
 * on. Kaniko looks Docker Hub up under its v1 URL only (kaniko#1209), so every spelling of Docker
 * Hub is written under that key.
 */
export const DOCKER_HUB = 'https://index.docker.io/v1/';
const HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com', 'hub.docker.com']);

export interface Login {
  readonly registry: string;
  readonly username: string;
  readonly password: string;
}

export interface DockerConfig {
  readonly auths: Readonly<Record<string, unknown>>;
  readonly credHelpers?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

/** The `auths` key of a registry however it was written: scheme and API version dropped. */
export function registryKey(registry: string): string {
  const bare = registry
    .trim()
    .replace(/^[a-z]+:\/\//i, '')
    .replace(/\/+$/, '')
    .replace(/\/v[12]$/, '');
  return HUB_HOSTS.has(bare.toLowerCase()) ? DOCKER_HUB : bare;
}

/** The registry part of an image name, by Docker's rule: a first component with a dot or a port, or localhost. */
export function imageHost(image: string): string | undefined {
  const slash = image.indexOf('/');
  if (slash < 0) return undefined;
  const first = image.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : undefined;
}

export function hostOf(registry: string): string {
  return registry === DOCKER_HUB ? 'index.docker.io' : registryKey(registry).split('/')[0]!;
}

const ECR = /^\d+\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/** The AWS region of an ECR host (public ECR authenticates in us-east-1); undefined for other registries. */
export function ecrRegion(host: string): string | undefined {
  if (host === 'public.ecr.aws') return 'us-east-1';
  return ECR.exec(host)?.[1];
}

export type RegistryType = 'Docker' | 'ECR' | 'GCR' | 'GAR';

export function registryType(host: string): RegistryType {
  if (ecrRegion(host)) return 'ECR';
  if (/-docker\.pkg\.dev$/.test(host)) return 'GAR';
  if (host === 'gcr.io' || host.endsWith('.gcr.io')) return 'GCR';
  return 'Docker';
}

/**
 * The user's own config (`settings.config`) with the logins and credential helpers laid over it:
 * its other registries and keys stay, and a login from the settings wins over its entry.
 */
export function dockerConfig(base: unknown, logins: readonly Login[], credHelpers: Readonly<Record<string, string>>): DockerConfig {
  // The declaration checked its shape (dockerConfigProblem).
  const user = (base ?? {}) as Record<string, unknown>;
  const auths: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(user.auths ?? {})) auths[registryKey(key)] = entry;
  for (const login of logins) auths[login.registry] = { auth: Buffer.from(`${login.username}:${login.password}`).toString('base64') };
  const helpers = { ...(user.credHelpers as Record<string, string> | undefined), ...credHelpers };
  return { ...user, auths, ...(Object.keys(helpers).length > 0 ? { credHelpers: helpers } : {}) };
}

/** What is wrong with `settings.config`, said without its content (it is secret). */
export function dockerConfigProblem(value: unknown): string | undefined {
  if (isObject(value) && (value.auths === undefined || isObject(value.auths)) && (value.credHelpers === undefined || isObject(value.credHelpers))) return undefined;
  return 'expected a Docker config.json object, like {"auths": {"registry.example.com": {"auth": "..."}}}';
}

/** Every string in a config's `auths` entries, and the password inside each `auth`: values to mask. */
export function configSecrets(config: DockerConfig): string[] {
  return Object.values(config.auths).flatMap((entry) => {
    if (!isObject(entry)) return [];
    const strings = Object.values(entry).filter((v): v is string => typeof v === 'string');
    const decoded = typeof entry.auth === 'string' ? Buffer.from(entry.auth, 'base64').toString('utf8') : '';
    return decoded.includes(':') ? [...strings, decoded.slice(decoded.indexOf(':') + 1)] : strings;
  });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
