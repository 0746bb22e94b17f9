import { createHash } from 'node:crypto';
import { PluginError } from '../../shared/errors.ts';
import { type HttpClient, HttpError, type HttpResponse } from '../../shared/http.ts';
import type { Credentials } from '../../shared/image/docker-config.ts';
import { MAX_QUOTED_ANSWER_CHARS } from '../../shared/limits.ts';
import { stopOf } from '../../shared/stop.ts';
import { excerpt } from '../../shared/secrets.ts';
import type { ImageRef } from './reference.ts';

/**
 * The part of the OCI distribution API (Docker Registry v2) that joining images needs, with the
 * two ways registries ask for credentials: Basic, and a Bearer token from the token endpoint the
 * `WWW-Authenticate` challenge names (Docker Hub, GHCR, Harbor, GitLab ...), one per scope.
 */
export const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
} as const;

const MANIFEST_ACCEPT = Object.values(MEDIA).join(', ');
/** A config blob is a few KB; one this large is no config. Registries refuse manifests over 4 MiB too. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

export interface FetchedManifest {
  readonly mediaType: string;
  readonly digest: string;
  readonly raw: Buffer;
  readonly config: Descriptor | undefined;
  readonly layers: readonly Descriptor[];
  /** Set for an index or manifest list. */
  readonly isIndex: boolean;
}

interface RegistryOptions {
  readonly http: HttpClient;
  /** The same client without certificate checks, for registries that may be insecure. */
  readonly unverified: HttpClient;
  /** The login for a registry, by its Docker config key. */
  credentials(ref: ImageRef): Credentials | undefined;
  /** Every registry may be insecure, not only loopback ones. */
  readonly insecure: boolean;
  /** Tokens the registries hand out are secrets from then on. */
  registerSecret(secret: string): void;
  /** The step's signal: a probe it ended is no sign of plain HTTP. */
  readonly signal: AbortSignal;
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function createRegistry(o: RegistryOptions) {
  const tokens = new Map<string, string>();
  const endpoints = new Map<string, Promise<Endpoint>>();

  /**
   * Where a registry answers. An insecure one (every loopback registry, as Docker treats them, or
   * all with `insecure`) is asked over HTTPS without checking its certificate, and over plain HTTP
   * when it does not speak TLS at all, as Docker does.
   */
  function endpoint(ref: ImageRef): Promise<Endpoint> {
    const host = ref.host.replace(/:\d+$/, '');
    const insecure = o.insecure || host === 'localhost' || host.startsWith('127.') || host === '[::1]';
    if (!insecure) return Promise.resolve({ base: `https://${ref.host}`, client: o.http });
    let found = endpoints.get(ref.host);
    if (!found) {
      found = o.unverified.request({ url: `https://${ref.host}/v2/`, retries: 0 }).then(
        () => ({ base: `https://${ref.host}`, client: o.unverified }),
        (err: unknown) => {
          if (stopOf(o.signal)) throw err;
          return { base: `http://${ref.host}`, client: o.http };
        },
      );
      endpoints.set(ref.host, found);
    }
    return found;
  }

  /** One request to `ref`'s registry, logging in when it asks to; `scopes` are the token's repositories and actions. */
  async function call(ref: ImageRef, req: { method?: string; path: string; headers?: Record<string, string>; body?: Buffer | string }, scopes: readonly string[]): Promise<HttpResponse> {
    const { base, client } = await endpoint(ref);
    const url = req.path.startsWith('http') ? req.path : `${base}${req.path}`;
    const key = `${ref.host} ${scopes.join(' ')}`;
    const send = (authorization: string | undefined) =>
      client.request({ url, method: req.method ?? 'GET', body: req.body, headers: { ...req.headers, ...(authorization ? { authorization } : {}) } });
    const known = tokens.get(key);
    const res = await send(known);
    if (res.status !== 401) return res;
    const login = o.credentials(ref);
    const challenge = String(res.headers['www-authenticate'] ?? '');
    if (/^basic\b/i.test(challenge) || (login && challenge === '')) {
      if (!login) throw refused(ref, undefined);
      const basic = basicAuth(login);
      tokens.set(key, basic);
      const again = await send(basic);
      if (again.status === 401) throw refused(ref, login);
      return again;
    }
    if (!/^bearer\b/i.test(challenge)) throw refused(ref, login);
    const token = await bearerToken(ref, challenge, scopes, login);
    o.registerSecret(token);
    tokens.set(key, `Bearer ${token}`);
    const again = await send(`Bearer ${token}`);
    if (again.status === 401) throw refused(ref, login);
    return again;
  }

  async function bearerToken(ref: ImageRef, challenge: string, scopes: readonly string[], login: Credentials | undefined): Promise<string> {
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
    if (!params.realm) throw new PluginError(`${ref.host} asks for a token but names no token endpoint (WWW-Authenticate has no realm)`);
    if (!URL.canParse(params.realm)) throw new PluginError(`${ref.host} names a token endpoint that is no URL: ${JSON.stringify(excerpt(params.realm, 100))}`);
    const url = new URL(params.realm);
    if (params.service) url.searchParams.set('service', params.service);
    for (const scope of scopes) url.searchParams.append('scope', scope);
    const headers: Record<string, string> = login ? { authorization: basicAuth(login) } : {};
    const res = await o.http.request({ url: url.toString(), headers });
    if (res.status === 401 || res.status === 403) throw refused(ref, login);
    if (res.status !== 200) throw answerError(`GET token from ${url.origin}`, ref, res);
    let body: { token?: unknown; access_token?: unknown };
    try {
      body = res.json();
    } catch {
      throw new PluginError(`the token endpoint ${url.origin} of ${ref.host} answered something that is not JSON`);
    }
    const token = body.token ?? body.access_token;
    if (typeof token !== 'string' || token === '') throw new PluginError(`the token endpoint ${url.origin} of ${ref.host} gave no token`);
    return token;
  }

  const pull = (ref: ImageRef) => [`repository:${ref.repository}:pull`];
  const push = (ref: ImageRef, from?: ImageRef) => [`repository:${ref.repository}:pull,push`, ...(from && from.repository !== ref.repository ? [`repository:${from.repository}:pull`] : [])];

  return {
    /** The manifest `ref` names; undefined when the registry has none (404). */
    async manifest(ref: ImageRef): Promise<FetchedManifest | undefined> {
      const res = await call(ref, { path: `/v2/${ref.repository}/manifests/${ref.reference}`, headers: { accept: MANIFEST_ACCEPT } }, pull(ref));
      if (res.status === 404) return undefined;
      if (res.status !== 200) throw answerError('GET manifest', ref, res);
      return readManifest(ref, res);
    },

    /** A small blob (an image config), checked against its digest. */
    async config(ref: ImageRef, d: Descriptor): Promise<unknown> {
      if (d.size > MAX_CONFIG_BYTES) throw new PluginError(`${ref.name}: its config blob is ${d.size} bytes, more than any image config`);
      const res = await call(ref, { path: `/v2/${ref.repository}/blobs/${d.digest}` }, pull(ref));
      if (res.status !== 200) throw answerError(`GET config ${d.digest}`, ref, res);
      if (sha256(res.body) !== d.digest) throw new PluginError(`${ref.name}: the registry sent a config blob whose digest is not ${d.digest}`);
      try {
        return JSON.parse(res.body.toString('utf8'));
      } catch {
        throw new PluginError(`${ref.name}: its config blob ${d.digest} is not JSON`);
      }
    },

    async hasBlob(ref: ImageRef, digest: string): Promise<boolean> {
      const res = await call(ref, { method: 'HEAD', path: `/v2/${ref.repository}/blobs/${digest}` }, push(ref));
      return res.status === 200;
    },

    /** Makes the registry link a blob of `from` into `to`'s repository, without sending its bytes. */
    async mount(to: ImageRef, from: ImageRef, digest: string): Promise<void> {
      const query = new URLSearchParams({ mount: digest, from: from.repository });
      const res = await call(to, { method: 'POST', path: `/v2/${to.repository}/blobs/uploads/?${query}` }, push(to, from));
      if (res.status === 201) return;
      if (res.status === 202) {
        // The registry started an upload instead: it could not mount the blob.
        const location = res.headers.location;
        if (typeof location === 'string') await call(to, { method: 'DELETE', path: new URL(location, (await endpoint(to)).base).toString() }, push(to)).catch(() => undefined);
        throw new PluginError(`${to.host} did not mount ${digest} of ${from.name} into ${to.repository}`, {
          hint: `The login for ${to.host} must be able to pull ${from.repository} and push ${to.repository}.`,
        });
      }
      throw answerError(`POST mount ${digest} from ${from.repository}`, to, res);
    },

    /** Puts a manifest under a tag or its digest; returns its digest. */
    async putManifest(ref: ImageRef, reference: string, body: Buffer, mediaType: string): Promise<string> {
      const res = await call(ref, { method: 'PUT', path: `/v2/${ref.repository}/manifests/${reference}`, body, headers: { 'content-type': mediaType } }, push(ref));
      if (res.status !== 201 && res.status !== 200) throw answerError(`PUT manifest ${reference}`, ref, res);
      return sha256(body);
    },
  };
}

export type Registry = ReturnType<typeof createRegistry>;

interface Endpoint {
  readonly base: string;
  readonly client: HttpClient;
}

function readManifest(ref: ImageRef, res: HttpResponse): FetchedManifest {
  if (res.body.length > MAX_MANIFEST_BYTES) throw new PluginError(`${ref.name}: the registry sent a manifest of ${res.body.length} bytes, more than the 4 MiB registries accept`);
  let doc: { mediaType?: unknown; schemaVersion?: unknown; config?: Descriptor; layers?: Descriptor[]; manifests?: unknown };
  try {
    doc = JSON.parse(res.body.toString('utf8'));
  } catch {
    throw new PluginError(`${ref.name}: the registry sent a manifest that is not JSON`);
  }
  const mediaType = String(res.headers['content-type'] ?? doc.mediaType ?? '').split(';')[0]!.trim();
  const isIndex = mediaType === MEDIA.ociIndex || mediaType === MEDIA.dockerList || Array.isArray(doc.manifests);
  if (!isIndex && (doc.schemaVersion !== 2 || !doc.config)) throw new PluginError(`${ref.name}: a ${mediaType || 'schema 1'} manifest, which cannot be part of an index`, { hint: 'Push the image again with a current tool: it writes an OCI or Docker schema 2 manifest.' });
  return { mediaType, digest: sha256(res.body), raw: res.body, config: doc.config, layers: doc.layers ?? [], isIndex };
}

function basicAuth(login: Credentials): string {
  return `Basic ${Buffer.from(`${login.username}:${login.password}`).toString('base64')}`;
}

function refused(ref: ImageRef, login: Credentials | undefined): PluginError {
  return new PluginError(login ? `${ref.host} refused the credentials of user "${login.username}" for ${ref.repository} (401)` : `${ref.host} wants credentials for ${ref.repository} and the step has none (401)`, {
    hint: login
      ? 'Check settings.username and settings.password (or the Docker config login), and that the user may pull the sources and push the target.'
      : 'Set settings.username and settings.password for the target registry, or give a login in the Docker config (DOCKER_CONFIG), as the kaniko plugin writes it.',
  });
}

/** A refusal in the registry's own words (`MANIFEST_UNKNOWN: ...`), masked and cut. */
function answerError(what: string, ref: ImageRef, res: HttpResponse): HttpError {
  let words = '';
  try {
    const errors = (res.json() as { errors?: Array<{ code?: string; message?: string }> }).errors ?? [];
    words = errors.map((e) => `${e.code ?? ''}: ${e.message ?? ''}`).join('; ');
  } catch {
    words = res.text();
  }
  return new HttpError(`${what} of ${ref.name}: HTTP ${res.status}${words ? ` ${excerpt(words, MAX_QUOTED_ANSWER_CHARS)}` : ''}`, { status: res.status, response: res });
}
