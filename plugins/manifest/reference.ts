import { DOCKER_HUB, imageHost, registryKey } from '../../shared/image/names.ts';

/** An image as the registry API addresses it. */
export interface ImageRef {
  /** As the user wrote it, for messages. */
  readonly name: string;
  /** The API host (`registry-1.docker.io` for Docker Hub), with its port. */
  readonly host: string;
  /** The Docker config's key for the registry's login. */
  readonly loginKey: string;
  /** `library/alpine` for Docker Hub's official images. */
  readonly repository: string;
  /** The tag, or the digest after `@`. */
  readonly reference: string;
}

const HUB_API = 'registry-1.docker.io';
const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;

/**
 * Docker's reading of an image name: no registry part is Docker Hub, where a one-part name is an
 * official image under `library/`; no tag is `latest`. Undefined when it is no image name.
 */
export function parseImage(name: string): ImageRef | undefined {
  const at = name.indexOf('@');
  const withoutDigest = at < 0 ? name : name.slice(0, at);
  const digest = at < 0 ? undefined : name.slice(at + 1);
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  const tag = colon > lastSlash ? withoutDigest.slice(colon + 1) : undefined;
  const path = colon > lastSlash ? withoutDigest.slice(0, colon) : withoutDigest;
  const explicit = imageHost(path);
  const key = registryKey(explicit ?? DOCKER_HUB);
  const hub = key === DOCKER_HUB;
  const rest = explicit ? path.slice(explicit.length + 1) : path;
  const repository = hub && !rest.includes('/') ? `library/${rest}` : rest;
  if (!REPOSITORY.test(repository) || (tag !== undefined && !TAG.test(tag)) || (digest !== undefined && !DIGEST.test(digest))) return undefined;
  return { name, host: hub ? HUB_API : explicit!, loginKey: key, repository, reference: digest ?? tag ?? 'latest' };
}

/** The same repository under another tag or digest. */
export function withReference(ref: ImageRef, reference: string): ImageRef {
  const repo = ref.name.replace(/@.*$/, '').replace(/:[^:/]*$/, '');
  return { ...ref, name: `${repo}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`, reference };
}

export function sameRegistry(a: ImageRef, b: ImageRef): boolean {
  return a.host === b.host;
}
