import { type DockerConfig, configLogin } from '../../shared/image/docker-config.ts';
import { DOCKER_HUB, hostOf, imageHost, registryKey } from '../../shared/image/names.ts';

/**
 * Kaniko's words when a registry refuses the credentials: `UNAUTHORIZED: authentication required`
 * from its push permission check and pushes, `unexpected status code 401 Unauthorized` (or
 * `unsupported status code 401`) from pulls of base images and the cache.
 */
const REFUSED = /\bUNAUTHORIZED\b|status code 401\b|\b401 Unauthorized\b/;
const IMAGE_IN_LINE = /checking push permission for "([^"]+)"/;
const URL_IN_LINE = /\bhttps?:\/\/([^/\s"]+)\//;

/** The registry host an executor output line says refused the credentials; '' when it names none. */
export function refusedRegistry(line: string): string | undefined {
  if (!REFUSED.test(line)) return undefined;
  const image = IMAGE_IN_LINE.exec(line)?.[1];
  if (image) return imageHost(image) ?? hostOf(DOCKER_HUB);
  return URL_IN_LINE.exec(line)?.[1] ?? '';
}

/** The hint for a refusal: the registry and the user the step logged in as, never the password. */
export function refusalHint(host: string, config: DockerConfig, fallback: string): string {
  const registry = host || fallback;
  const user = configLogin(config, registry)?.username;
  const helper = config.credHelpers?.[registryKey(registry)];
  if (user) return `The registry ${registry} refused the credentials of user "${user}" (401): check settings.username and settings.password, and that the user may push to the repository.`;
  if (helper) return `The registry ${registry} refused the credentials from the ${helper} credential helper (401): check the identity the step runs as.`;
  return `The registry ${registry} wants credentials and the step has none for it (401): set settings.username and settings.password (with settings.registry when the repo names another registry).`;
}
