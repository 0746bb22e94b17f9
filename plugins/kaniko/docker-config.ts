import { type DockerConfig, isObject } from '../../shared/image/docker-config.ts';
import { registryKey } from '../../shared/image/names.ts';

/** The executor's Docker config (`$DOCKER_CONFIG/config.json`), written from the settings' logins. */
export interface Login {
  readonly registry: string;
  readonly username: string;
  readonly password: string;
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
