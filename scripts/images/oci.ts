import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { constants, gunzip as gunzipCb, gzip, zstdCompress, zstdDecompress } from 'node:zlib';
import type { Engine } from './engine.ts';

/**
 * Just enough of the registry API (distribution v2, plain HTTP on loopback or HTTPS with basic or
 * bearer auth) to read what was pushed and to push OCI images and the image index that joins the
 * platforms of one image: `docker save` gives the uncompressed layers and the config, pushed with
 * zstd (which dockerd 20.10 cannot produce: `application/vnd.oci.image.layer.v1.tar+zstd`) or gzip.
 */
const zstd = promisify(zstdCompress);
const gz = promisify(gzip);
const gunzip = promisify(gunzipCb);
const unzstd = promisify(zstdDecompress);

const MEDIA = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  zstdLayer: 'application/vnd.oci.image.layer.v1.tar+zstd',
  gzipLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
};

interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
}

interface Manifest {
  readonly mediaType?: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export interface Index {
  readonly mediaType?: string;
  readonly manifests: ReadonlyArray<Descriptor & { readonly platform?: Platform }>;
}

interface RegistryRef {
  /** `127.0.0.1:5000` */
  readonly registry: string;
  /** `sortie/slack` */
  readonly repository: string;
  readonly auth?: { username: string; password: string };
}

/** `127.0.0.1:5000/sortie/slack` (a registry host is required) -> its parts. */
export function parseRepo(ref: string, auth?: RegistryRef['auth']): RegistryRef {
  const slash = ref.indexOf('/');
  return { registry: ref.slice(0, slash), repository: ref.slice(slash + 1), auth };
}

function baseUrl(r: RegistryRef): string {
  const host = r.registry.split(':')[0]!;
  const plain = host === 'localhost' || host.startsWith('127.') || host === '[::1]';
  return `${plain ? 'http' : 'https'}://${r.registry}/v2/${r.repository}`;
}

const tokens = new Map<string, string>();

/**
 * One registry request, with Basic credentials, or with the Bearer token flow (Docker Hub, GHCR and
 * most hosted registries answer 401 with `WWW-Authenticate: Bearer realm=...,service=...,scope=...`).
 */
async function call(r: RegistryRef, path: string, init: RequestInit = {}): Promise<Response> {
  const url = path.startsWith('http') ? path : `${baseUrl(r)}${path}`;
  const send = (authorization?: string) => {
    const headers = new Headers(init.headers);
    if (authorization) headers.set('authorization', authorization);
    return fetch(url, { ...init, headers, redirect: 'follow' });
  };
  const basic = r.auth ? `Basic ${Buffer.from(`${r.auth.username}:${r.auth.password}`).toString('base64')}` : undefined;
  const key = `${r.registry}/${r.repository}`;
  const known = tokens.get(key);
  const res = await send(known ? `Bearer ${known}` : basic);
  const challenge = res.headers.get('www-authenticate') ?? '';
  if (res.status !== 401 || !/^bearer /i.test(challenge)) return res;
  const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]));
  const tokenUrl = new URL(params.realm!);
  if (params.service) tokenUrl.searchParams.set('service', params.service);
  tokenUrl.searchParams.set('scope', `repository:${r.repository}:pull,push`);
  const t = await fetch(tokenUrl, { headers: basic ? { authorization: basic } : {} });
  if (!t.ok) throw new Error(`token for ${key} from ${tokenUrl.origin}: ${t.status}`);
  const body = (await t.json()) as { token?: string; access_token?: string };
  tokens.set(key, body.token ?? body.access_token ?? '');
  return send(`Bearer ${tokens.get(key)}`);
}

export async function getManifest(r: RegistryRef, reference: string): Promise<{ manifest: Manifest; digest: string; raw: string }> {
  const res = await call(r, `/manifests/${reference}`, { headers: { accept: [MEDIA.ociManifest, MEDIA.dockerManifest].join(', ') } });
  if (!res.ok) throw new Error(`GET manifest ${r.repository}:${reference}: ${res.status} ${await res.text()}`);
  const raw = await res.text();
  return { manifest: JSON.parse(raw) as Manifest, raw, digest: res.headers.get('docker-content-digest') ?? sha256(Buffer.from(raw)) };
}

/** An image index (or a Docker manifest list) by tag or digest. */
export async function getIndex(r: RegistryRef, reference: string): Promise<{ index: Index; digest: string; mediaType: string }> {
  const res = await call(r, `/manifests/${reference}`, { headers: { accept: [MEDIA.ociIndex, MEDIA.dockerList].join(', ') } });
  if (!res.ok) throw new Error(`GET index ${r.repository}:${reference}: ${res.status} ${await res.text()}`);
  const raw = await res.text();
  const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!;
  if (mediaType !== MEDIA.ociIndex && mediaType !== MEDIA.dockerList) throw new Error(`${r.repository}:${reference} is ${mediaType}, not an image index`);
  return { index: JSON.parse(raw) as Index, mediaType, digest: res.headers.get('docker-content-digest') ?? sha256(Buffer.from(raw)) };
}

/** A blob's bytes, checked against its digest. */
export async function getBlob(r: RegistryRef, d: Descriptor): Promise<Buffer> {
  const res = await call(r, `/blobs/${d.digest}`);
  if (!res.ok) throw new Error(`GET blob ${d.digest}: ${res.status}`);
  const data = Buffer.from(await res.arrayBuffer());
  if (sha256(data) !== d.digest || data.length !== d.size) throw new Error(`blob ${d.digest} does not match its descriptor`);
  return data;
}

/** A layer blob, decompressed (gzip or zstd) to its tar. */
export async function layerTar(r: RegistryRef, layer: Descriptor): Promise<Buffer> {
  const data = await getBlob(r, layer);
  return layer.mediaType.endsWith('zstd') ? unzstd(data) : gunzip(data);
}

/**
 * Pushes an OCI image index of images already in the repository (by digest) under every tag.
 * Returns its digest.
 */
export async function pushIndex(dest: RegistryRef, tags: readonly string[], images: ReadonlyArray<{ digest: string; bytes: number; platform: Platform }>): Promise<string> {
  const index = { schemaVersion: 2, mediaType: MEDIA.ociIndex, manifests: images.map((i) => ({ mediaType: MEDIA.ociManifest, digest: i.digest, size: i.bytes, platform: i.platform })) };
  return putManifest(dest, tags, Buffer.from(JSON.stringify(index)), MEDIA.ociIndex);
}

async function putManifest(dest: RegistryRef, tags: readonly string[], body: Buffer, mediaType: string): Promise<string> {
  const digest = sha256(body);
  for (const tag of [...tags, digest]) {
    const res = await call(dest, `/manifests/${tag}`, { method: 'PUT', body: new Uint8Array(body), headers: { 'content-type': mediaType } });
    if (res.status !== 201) throw new Error(`PUT manifest ${dest.repository}:${tag}: ${res.status} ${await res.text()}`);
  }
  return digest;
}

/** The compressed size of an image as a registry holds it: config plus layers. */
export function manifestSize(m: Manifest): number {
  return m.config.size + m.layers.reduce((n, l) => n + l.size, 0);
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

async function pushBlob(r: RegistryRef, data: Buffer, digest: string): Promise<void> {
  const head = await call(r, `/blobs/${digest}`, { method: 'HEAD' });
  if (head.ok) return;
  const start = await call(r, '/blobs/uploads/', { method: 'POST' });
  if (start.status !== 202) throw new Error(`POST blob upload: ${start.status} ${await start.text()}`);
  const location = new URL(start.headers.get('location')!, baseUrl(r));
  location.searchParams.set('digest', digest);
  const put = await call(r, location.toString(), { method: 'PUT', body: new Uint8Array(data), headers: { 'content-type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`PUT blob ${digest}: ${put.status} ${await put.text()}`);
}

/** The files of an uncompressed tar (regular files and symlinks to them), by path. */
export function untarAll(tar: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const links = new Map<string, string>();
  let off = 0;
  while (off + 512 <= tar.length) {
    const header = tar.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const field = (a: number, n: number) => header.subarray(a, a + n).toString('utf8').replace(/\0.*$/s, '');
    const name = (field(345, 155) ? `${field(345, 155)}/` : '') + field(0, 100);
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    if (type === '0' || type === '') files.set(name, tar.subarray(off + 512, off + 512 + size));
    if (type === '2') links.set(name, field(157, 100));
    off += 512 + Math.ceil(size / 512) * 512;
  }
  for (const [name, target] of links) {
    const resolved = new URL(target, `file:///${name}`).pathname.slice(1);
    const data = files.get(resolved);
    if (data) files.set(name, data);
  }
  return files;
}

function dockerSave(engine: Engine, image: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', ['save', image], { env: engine.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(Buffer.concat(chunks)) : reject(new Error(`docker save ${image}: ${stderr}`))));
  });
}

/** The uncompressed layers (in order) and the config of a local image. */
export async function savedImage(engine: Engine, image: string): Promise<{ config: Buffer; layers: Buffer[] }> {
  const files = untarAll(await dockerSave(engine, image));
  const manifest = JSON.parse(files.get('manifest.json')!.toString()) as Array<{ Config: string; Layers: string[] }>;
  return { config: files.get(manifest[0]!.Config)!, layers: manifest[0]!.Layers.map((l) => files.get(l)!) };
}

export interface Compressed {
  readonly data: Buffer;
  readonly digest: string;
}

/** zstd at `level` (19 by default: slow, about 50 s for the Node layer, done once per release). */
export async function compressZstd(layer: Buffer, level = 19): Promise<Compressed> {
  const data = await zstd(layer, { params: { [constants.ZSTD_c_compressionLevel]: level, [constants.ZSTD_c_checksumFlag]: 1 } });
  return { data, digest: sha256(data) };
}

export async function compressGzip(layer: Buffer): Promise<Compressed> {
  const data = await gz(layer);
  return { data, digest: sha256(data) };
}

/**
 * Pushes a local image to `ref:tags` (or by digest alone) as an OCI image, its layers zstd- or
 * gzip-compressed. Returns the manifest's digest and length (`bytes`), the image's size (config
 * plus layers) and its platform (from its config), or throws with the registry's answer
 * when it refuses the manifest (a registry without zstd).
 */
export async function pushImage(
  engine: Engine,
  image: string,
  dest: RegistryRef,
  tags: readonly string[],
  o: { compression: 'zstd' | 'gzip'; level?: number; compressed?: Map<string, Compressed> },
): Promise<{ digest: string; size: number; bytes: number; platform: Platform }> {
  const saved = await savedImage(engine, image);
  const layers: Descriptor[] = [];
  for (const layer of saved.layers) {
    const key = `${o.compression}:${sha256(layer)}`;
    const c = o.compressed?.get(key) ?? (o.compression === 'zstd' ? await compressZstd(layer, o.level) : await compressGzip(layer));
    o.compressed?.set(key, c);
    await pushBlob(dest, c.data, c.digest);
    layers.push({ mediaType: o.compression === 'zstd' ? MEDIA.zstdLayer : MEDIA.gzipLayer, digest: c.digest, size: c.data.length });
  }
  const configDigest = sha256(saved.config);
  await pushBlob(dest, saved.config, configDigest);
  const manifest = { schemaVersion: 2, mediaType: MEDIA.ociManifest, config: { mediaType: MEDIA.ociConfig, digest: configDigest, size: saved.config.length }, layers };
  const body = Buffer.from(JSON.stringify(manifest));
  const digest = await putManifest(dest, tags, body, MEDIA.ociManifest);
  const config = JSON.parse(saved.config.toString()) as { os: string; architecture: string; variant?: string };
  const platform = { os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) };
  return { digest, size: manifestSize(manifest), bytes: body.length, platform };
}

/**
 * Reads an image back from the registry by digest and checks every layer: its blob has the digest
 * the manifest names and, decompressed, the diff_id the image config names (so a zstd image that
 * a Docker engine here cannot pull is still verified end to end).
 */
export async function verifyByDigest(r: RegistryRef, digest: string): Promise<{ layers: number; size: number }> {
  const { manifest, digest: got } = await getManifest(r, digest);
  if (got !== digest) throw new Error(`the registry answered ${got} for ${digest}`);
  const config = JSON.parse((await getBlob(r, manifest.config)).toString()) as { rootfs: { diff_ids: string[] } };
  for (const [i, layer] of manifest.layers.entries()) {
    if (sha256(await layerTar(r, layer)) !== config.rootfs.diff_ids[i]) throw new Error(`layer ${i} of ${digest} does not decompress to its diff_id`);
  }
  return { layers: manifest.layers.length, size: manifestSize(manifest) };
}
