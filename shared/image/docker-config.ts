import { join } from 'node:path';
import { MAX_SMALL_FILE_BYTES } from '../limits.ts';
import { readTextFile } from '../read-file.ts';
import { PluginError } from '../errors.ts';
import { registryKey } from './names.ts';

/** A Docker `config.json`: what `docker login` and the kaniko plugin write. */
export interface DockerConfig {
  readonly auths: Readonly<Record<string, unknown>>;
  readonly credHelpers?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

export interface Credentials {
  readonly username: string;
  readonly password: string;
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

/** The login a config holds for a registry (its `auths` key matched however either was written). */
export function configLogin(config: DockerConfig, registry: string): Credentials | undefined {
  const key = registryKey(registry);
  const entry = Object.entries(config.auths).find(([k]) => registryKey(k) === key)?.[1];
  if (!isObject(entry)) return undefined;
  if (typeof entry.username === 'string' && typeof entry.password === 'string') return { username: entry.username, password: entry.password };
  const decoded = typeof entry.auth === 'string' ? Buffer.from(entry.auth, 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  return colon > 0 ? { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) } : undefined;
}

/**
 * `$DOCKER_CONFIG/config.json` (else `~/.docker/config.json`), as Docker finds it; an empty config
 * when there is none. A file that is not a config is an error naming it.
 */
export function readDockerConfig(env: NodeJS.ProcessEnv): { readonly path: string; readonly config: DockerConfig } {
  const dir = env.DOCKER_CONFIG || join(env.HOME || '/root', '.docker');
  const path = join(dir, 'config.json');
  const text = readTextFile(path, { shown: path, maxBytes: MAX_SMALL_FILE_BYTES });
  if (text === undefined) return { path, config: { auths: {} } };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // The text holds credentials: the parser's message may quote them.
    throw new PluginError(`${path} is not JSON`, { hint: 'It is the Docker config the registry logins are read from (DOCKER_CONFIG names its directory).' });
  }
  if (!isObject(parsed) || (parsed.auths !== undefined && !isObject(parsed.auths))) throw new PluginError(`${path} is not a Docker config: expected {"auths": {...}}`);
  return { path, config: { ...parsed, auths: (parsed.auths ?? {}) as Record<string, unknown> } };
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
