import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { KubeApi } from '../../kube-api/server.ts';

export interface Exchange {
  request: { method: string; path: string; headers: Record<string, string>; body?: unknown };
  response: { status: number; headers: Record<string, unknown>; body: unknown };
}

const REQUEST_TIMEOUT_MS = 10_000;

const fixtureDir = join(import.meta.dirname, '..', '..', 'kube-api', 'recordings');

export function fixture(name: string): Exchange[] {
  return (JSON.parse(readFileSync(`${fixtureDir}/${name}`, 'utf8')) as { exchanges: Exchange[] }).exchanges;
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  text: string;
}

/** One HTTPS request trusting only the emulator's CA (node:https, no undici). */
export function call(api: KubeApi, method: string, path: string, opts: { body?: unknown; contentType?: string; token?: string | null; accept?: string; cert?: { certPem: string; keyPem: string } } = {}): Promise<Reply> {
  const headers: Record<string, string> = { accept: opts.accept ?? 'application/json' };
  if (opts.token !== null && !opts.cert) headers.authorization = `Bearer ${opts.token ?? api.adminToken}`;
  let payload: string | undefined;
  if (opts.body !== undefined) {
    payload = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    headers['content-type'] = opts.contentType ?? 'application/json';
    headers['content-length'] = String(Buffer.byteLength(payload));
  } else if (opts.contentType) headers['content-type'] = opts.contentType;
  return new Promise((resolve, reject) => {
    const req = request(`${api.url}${path}`, { method, headers, ca: api.caPem, cert: opts.cert?.certPem, key: opts.cert?.keyPem }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => {
        let body: unknown = text;
        if (String(res.headers['content-type'] ?? '').startsWith('application/json') && text) {
          try {
            body = JSON.parse(text);
          } catch {
            // a watch stream: one JSON document per line, read from text
          }
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text });
      });
    });
    // A request the emulator never answers fails this exchange instead of hanging the whole file.
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS} ms`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** Sends a recorded request as recorded (body, content type), optionally with another token. */
export function replay(api: KubeApi, ex: Exchange, token?: string | null): Promise<Reply> {
  const { method, path, headers, body } = ex.request;
  return call(api, method, path, { body, contentType: headers['content-type'], accept: headers.accept, token });
}

export async function until<T>(fn: () => Promise<T | undefined>, what: string, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

type Obj = Record<string, unknown>;

/** Values that differ between any two runs: ids, times, versions, generated names. */
const volatile = new Set(['uid', 'resourceVersion', 'creationTimestamp', 'time', 'lastUpdateTime', 'lastTransitionTime', 'lastProbeTime', 'continue', 'clusterIP', 'clusterIPs', 'startTime', 'completionTime', 'expirationTimestamp', 'token', 'buildDate', 'gitCommit', 'serverAddressByClientCIDRs']);

/** A copy without run-specific values, for deep comparison of recorded and emulated bodies. */
export function normalize(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normalize);
  if (v === null || typeof v !== 'object') return v;
  const out: Obj = {};
  for (const [k, x] of Object.entries(v as Obj)) {
    if (volatile.has(k)) continue;
    out[k] = normalize(x);
  }
  return out;
}
