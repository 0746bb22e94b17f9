import { type ChildProcess, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';

/**
 * Debian's docker-registry (distribution 2.8) on loopback, each test file its own instance, with
 * htpasswd Basic auth when asked; and a helper that pushes a small single-platform image through
 * the registry API (config blob, one layer, manifest), as a build would.
 */
export const REGISTRY_BINARY = '/usr/bin/docker-registry';

/** Why the registry tests cannot run here; under CI=true they fail instead. */
export function registryMissing(): string | undefined {
  if (existsSync(REGISTRY_BINARY)) return undefined;
  const reason = `${REGISTRY_BINARY} is missing (apt-get install -y docker-registry)`;
  if (process.env.CI === 'true') throw new Error(reason);
  return reason;
}

export const LOGIN = { username: 'robot', password: 'hunter2-registry-secret' } as const;
// bcrypt of LOGIN.password (cost 4: the registry checks it on every request).
const HTPASSWD = `${LOGIN.username}:$2b$04$UTrtaTUicwDJn3xenOR7H.7LJszY3zn.ahX5GE/WAtkBlHJd01QIS\n`;

export interface Registry {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  readonly auth: typeof LOGIN | undefined;
  stop(): Promise<void>;
}

/** The registry's token auth: the token endpoint it sends clients to, and whom it trusts. */
export interface TokenAuth {
  readonly realm: string;
  readonly service: string;
  readonly issuer: string;
  readonly certFile: string;
}

export async function startRegistry(opts: { basicAuth?: boolean; token?: TokenAuth } = {}): Promise<Registry> {
  const dir = mkdtempSync(join(tmpdir(), 'registry-'));
  const port = await freePort();
  const t = opts.token;
  const auth = t
    ? ['auth:', '  token:', `    realm: ${t.realm}`, `    service: ${t.service}`, `    issuer: ${t.issuer}`, `    rootcertbundle: ${t.certFile}`]
    : opts.basicAuth
      ? ['auth:', '  htpasswd:', '    realm: sortie-test', `    path: ${join(dir, 'htpasswd')}`]
      : [];
  if (opts.basicAuth) writeFileSync(join(dir, 'htpasswd'), HTPASSWD);
  writeFileSync(
    join(dir, 'registry.yml'),
    ['version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${join(dir, 'data')}`, 'http:', `  addr: 127.0.0.1:${port}`, ...auth, ''].join('\n'),
  );
  const log = openSync(join(dir, 'registry.log'), 'a');
  const child = spawn(REGISTRY_BINARY, ['serve', join(dir, 'registry.yml')], { stdio: ['ignore', log, log] });
  const stop = async () => {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
  };
  const host = `127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    if (child.exitCode !== null) break;
    const status = await fetch(`http://${host}/v2/`).then((r) => r.status, () => 0);
    if (status === 200 || status === 401) return { host, auth: opts.basicAuth ? LOGIN : undefined, stop };
    await sleep(100);
  }
  const tail = readFileSync(join(dir, 'registry.log'), 'utf8').slice(-2000);
  await stop();
  throw new Error(`docker-registry did not start on ${host}:\n${tail}`);
}

export interface PushedImage {
  readonly digest: string;
  readonly configDigest: string;
  readonly layerDigest: string;
  readonly mediaType: string;
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';

/** Pushes `repo:tag` whose config says `platform`; `docker: true` writes a Docker schema 2 manifest. */
export async function pushImage(
  r: Registry,
  repo: string,
  tag: string,
  platform: { architecture: string; os?: string; variant?: string },
  opts: { docker?: boolean } = {},
): Promise<PushedImage> {
  const layer = gzipSync(randomBytes(256));
  const config = Buffer.from(JSON.stringify({ architecture: platform.architecture, os: platform.os ?? 'linux', ...(platform.variant ? { variant: platform.variant } : {}), rootfs: { type: 'layers', diff_ids: [] }, config: {} }));
  const configDigest = await pushBlob(r, repo, config);
  const layerDigest = await pushBlob(r, repo, layer);
  const mediaType = opts.docker ? DOCKER_MANIFEST : OCI_MANIFEST;
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: opts.docker ? 'application/vnd.docker.container.image.v1+json' : 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: [{ mediaType: opts.docker ? 'application/vnd.docker.image.rootfs.diff.tar.gzip' : 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.length }],
    }),
  );
  const res = await call(r, `/v2/${repo}/manifests/${tag}`, { method: 'PUT', body: manifest, headers: { 'content-type': mediaType } });
  if (res.status !== 201) throw new Error(`PUT manifest ${repo}:${tag}: ${res.status} ${await res.text()}`);
  return { digest: sha256(manifest), configDigest, layerDigest, mediaType };
}

/** A manifest as a client pulls it, accepting every type. */
export async function pullManifest(r: Registry, repo: string, reference: string): Promise<{ status: number; mediaType: string; digest: string; body: unknown }> {
  const accept = [OCI_MANIFEST, DOCKER_MANIFEST, 'application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json'].join(', ');
  const res = await call(r, `/v2/${repo}/manifests/${reference}`, { headers: { accept } });
  const raw = Buffer.from(await res.arrayBuffer());
  return { status: res.status, mediaType: res.headers.get('content-type') ?? '', digest: sha256(raw), body: res.status === 200 ? JSON.parse(raw.toString()) : undefined };
}

async function pushBlob(r: Registry, repo: string, data: Buffer): Promise<string> {
  const digest = sha256(data);
  const start = await call(r, `/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  if (start.status !== 202) throw new Error(`POST upload ${repo}: ${start.status} ${await start.text()}`);
  const location = new URL(start.headers.get('location')!, `http://${r.host}`);
  location.searchParams.set('digest', digest);
  const put = await call(r, location.toString(), { method: 'PUT', body: data, headers: { 'content-type': 'application/octet-stream' } });
  if (put.status !== 201) throw new Error(`PUT blob ${digest}: ${put.status} ${await put.text()}`);
  return digest;
}

/** A request with the login: Basic, or a Bearer token for the scope the registry's challenge names. */
async function call(r: Registry, path: string, init: { method?: string; body?: Buffer; headers?: Record<string, string> } = {}): Promise<Response> {
  const url = path.startsWith('http') ? path : `http://${r.host}${path}`;
  const basic = r.auth ? `Basic ${Buffer.from(`${r.auth.username}:${r.auth.password}`).toString('base64')}` : undefined;
  const send = (authorization: string | undefined) =>
    fetch(url, { method: init.method ?? 'GET', body: init.body ? new Uint8Array(init.body) : undefined, headers: { ...init.headers, ...(authorization ? { authorization } : {}) } });
  const res = await send(basic);
  const challenge = res.headers.get('www-authenticate') ?? '';
  if (res.status !== 401 || !/^bearer /i.test(challenge)) return res;
  const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
  const tokenUrl = new URL(params.realm!);
  tokenUrl.searchParams.set('service', params.service ?? '');
  if (params.scope) tokenUrl.searchParams.set('scope', params.scope);
  const token = (await (await fetch(tokenUrl, { headers: { authorization: `Basic ${Buffer.from(`${LOGIN.username}:${LOGIN.password}`).toString('base64')}` } })).json()) as { token: string };
  return send(`Bearer ${token.token}`);
}

function sha256(data: Buffer): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(3000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}
