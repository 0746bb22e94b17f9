import http from 'node:http';
import https from 'node:https';
import { PluginError } from './errors.ts';
import { log } from './log.ts';

/**
 * The one HTTP client of every plugin: timeouts, retries with backoff on 429/5xx and network
 * errors (honouring Retry-After), HTTPS_PROXY/HTTP_PROXY/NO_PROXY through Node's own proxy
 * support, and a custom CA bundle. Built on node:http so it adds nothing to a bundle.
 */
export interface HttpOptions {
  readonly timeoutMs?: number;
  /** Extra attempts after the first. */
  readonly retries?: number;
  /** PEM bundle trusted instead of the system store, as Node's `ca` option does. */
  readonly ca?: string | Buffer;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  readonly rejectUnauthorized?: boolean;
  /** Proxy variables; the process environment by default. */
  readonly proxyEnv?: NodeJS.ProcessEnv;
  /** Replaced in tests so retries do not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface HttpRequest {
  readonly url: string;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer;
  /** Per-request override, e.g. no retry for a non-idempotent call. */
  readonly retries?: number;
  readonly timeoutMs?: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: Buffer;
  text(): string;
  json<T = unknown>(): T;
}

export class HttpError extends PluginError {
  readonly status: number;
  readonly response: HttpResponse | undefined;

  constructor(message: string, opts: { status?: number; response?: HttpResponse; hint?: string; cause?: unknown } = {}) {
    super(message, { hint: opts.hint, cause: opts.cause });
    this.name = 'HttpError';
    this.status = opts.status ?? 0;
    this.response = opts.response;
  }
}

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const MAX_RETRY_AFTER_MS = 60_000;

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
  /** A `fetch` for libraries that take one (such as @slack/webhook), going through this client. */
  fetch(input: string | URL | Request, init?: RequestInit): Promise<Response>;
}

export function createHttpClient(opts: HttpOptions = {}): HttpClient {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const retries = opts.retries ?? 3;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const tls = { ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: opts.rejectUnauthorized ?? true };
  const proxyEnv = opts.proxyEnv ?? process.env;
  const agents = {
    http: new http.Agent({ keepAlive: true, proxyEnv }),
    https: new https.Agent({ keepAlive: true, proxyEnv, ...tls }),
  };

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const attempts = 1 + (req.retries ?? retries);
    for (let attempt = 1; ; attempt++) {
      let res: HttpResponse | undefined;
      try {
        res = await once(req, agents, req.timeoutMs ?? timeoutMs);
      } catch (err) {
        if (attempt >= attempts) throw networkError(req, err);
        const wait = backoff(attempt);
        log.debug(`${describe(req)}: ${(err as Error).message}; retrying in ${wait} ms`);
        await sleep(wait);
        continue;
      }
      if (!RETRY_STATUS.has(res.status) || attempt >= attempts) return res;
      const wait = retryAfter(res) ?? backoff(attempt);
      log.info(`${describe(req)}: HTTP ${res.status}; retrying in ${Math.round(wait / 100) / 10} s (attempt ${attempt + 1} of ${attempts})`);
      await sleep(wait);
    }
  }

  async function fetchVia(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
    const url = input instanceof Request ? input.url : String(input);
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    const body = typeof init.body === 'string' ? init.body : init.body == null ? undefined : Buffer.from(await new Response(init.body).arrayBuffer());
    const res = await request({ url, method: init.method ?? 'GET', headers, body });
    const outHeaders = new Headers();
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) outHeaders.set(k, Array.isArray(v) ? v.join(', ') : v);
    return new Response(res.status === 204 || res.status === 304 ? null : new Uint8Array(res.body), { status: res.status, headers: outHeaders });
  }

  return { request, fetch: fetchVia };
}

function once(req: HttpRequest, agents: { http: http.Agent; https: https.Agent }, timeoutMs: number): Promise<HttpResponse> {
  const url = new URL(req.url);
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') return Promise.reject(new Error(`unsupported protocol ${url.protocol}`));
  const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
  const headers: Record<string, string> = { ...req.headers };
  if (body) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const r = (secure ? https : http).request(
      url,
      { method: req.method ?? 'GET', headers, agent: secure ? agents.https : agents.http, signal: AbortSignal.timeout(timeoutMs) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const data = Buffer.concat(chunks);
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: data,
            text: () => data.toString('utf8'),
            json: <T>() => JSON.parse(data.toString('utf8')) as T,
          });
        });
      },
    );
    r.on('error', (err) => reject(err.name === 'AbortError' || err.name === 'TimeoutError' ? new Error(`no answer within ${timeoutMs} ms`) : err));
    r.end(body);
  });
}

function backoff(attempt: number): number {
  const base = Math.min(8000, 500 * 2 ** (attempt - 1));
  return Math.round(base / 2 + Math.random() * (base / 2));
}

/** Retry-After in seconds or as an HTTP date; capped so a hostile value cannot hang a step. */
function retryAfter(res: HttpResponse): number | undefined {
  const v = res.headers['retry-after'];
  if (typeof v !== 'string' || v === '') return undefined;
  const ms = /^\d+(\.\d+)?$/.test(v) ? Number(v) * 1000 : Date.parse(v) - Date.now();
  return Number.isFinite(ms) ? Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS) : undefined;
}

function describe(req: HttpRequest): string {
  const u = new URL(req.url);
  return `${req.method ?? 'GET'} ${u.protocol}//${u.host}`;
}

function networkError(req: HttpRequest, err: unknown): HttpError {
  const e = err as NodeJS.ErrnoException;
  const why = e.code ? `${e.code}${e.message && !e.message.includes(e.code) ? `: ${e.message}` : ''}` : e.message;
  const certificate = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(e.code ?? '');
  return new HttpError(`${describe(req)} failed: ${why}`, {
    cause: err,
    hint: certificate
      ? 'The server certificate is not trusted: give its CA certificate in the settings.'
      : 'Check the address, and that the step can reach it (network policy, proxy settings).',
  });
}
