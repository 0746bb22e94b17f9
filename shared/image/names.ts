/**
 * How registries and images are named, as Docker names them: the keys of a Docker config's `auths`,
 * the registry part of an image name, and the hosted registries that need their own logins.
 * Docker looks Docker Hub up under its v1 URL only (and so does kaniko, kaniko#1209), so every
 * spelling of Docker Hub has that key.
 */
export const DOCKER_HUB = 'https://index.docker.io/v1/';
const HUB_HOSTS = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com', 'hub.docker.com']);

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

/** The `docker/v1` artifact plugins/docker writes: each image pushed, with its digest. */
export function dockerArtifact(registryUrl: string, images: readonly string[], digest: string) {
  return { kind: 'docker/v1', data: { registryType: registryType(hostOf(registryUrl)), registryUrl, images: images.map((image) => ({ image, digest })) } };
}
