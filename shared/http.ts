import type http from 'node:http';
import type https from 'node:https';
import { PluginError } from './errors.ts';
import { MAX_HTTP_BODY_BYTES, MAX_STREAM_LINE_BYTES, formatBytes } from './limits.ts';
import { type Logger, createLogger } from './log.ts';
import { type Deadline, sleep as sleepUnless, stopOf } from './stop.ts';

/**
 * The one HTTP client of every plugin: timeouts, retries with backoff on 429/5xx and network
 * errors (honouring Retry-After), HTTPS_PROXY/HTTP_PROXY/NO_PROXY through Node's own proxy
 * support, and a custom CA bundle. Built on node:http so it adds nothing to a bundle; node:https
 * (with tls and crypto behind it) costs a plugin ~25 ms of start-up, so it is loaded on first use.
 */
export interface HttpOptions {
  /** Each attempt's limit; the step's deadline bounds it too, whichever comes first. */
  readonly timeoutMs?: number;
  /** The step's signal: every request, retry and wait ends with its reason when it is aborted. */
  readonly signal?: AbortSignal | undefined;
  /** The step's deadline: a Retry-After beyond it is not waited for. */
  readonly deadline?: Deadline | undefined;
  /** Where retries are reported; a plain logger on standard error by default. */
  readonly log?: Logger;
  /** Extra attempts after the first. */
  readonly retries?: number;
  /** PEM bundle trusted instead of the system store, as Node's `ca` option does. */
  readonly ca?: string | Buffer;
  readonly cert?: string | Buffer;
  readonly key?: string | Buffer;
  readonly rejectUnauthorized?: boolean;
  /** The name sent in SNI and checked against the certificate, when not the URL's host. */
  readonly servername?: string | undefined;
  /** Proxy variables; the process environment by default. */
  readonly proxyEnv?: NodeJS.ProcessEnv | undefined;
  /** Replaced in tests so retries do not wait. */
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /**
   * Whether an answer with a retryable status (429, 5xx) is worth another attempt. Some servers
   * answer 500 for a request that fails the same way every time.
   */
  readonly retryable?: (res: HttpResponse) => boolean;
  /**
   * How long (ms) a server asks to wait where it says so in its body rather than in Retry-After
   * (Telegram's `parameters.retry_after`, Matrix's `retry_after_ms`); capped like Retry-After.
   */
  readonly retryAfterOf?: (res: HttpResponse) => number | undefined;
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

/** An answer longer than any real one: sending the request again would only read it again. */
class BodyTooLarge extends Error {
  constructor(what = `the answer is longer than ${formatBytes(MAX_HTTP_BODY_BYTES)}`) {
    super(`${what}, more than any real answer: stopped reading it`);
  }
}

/**
 * What `stream` gives: a 2xx answer as its lines, read as they arrive (breaking out of the loop
 * closes the connection), or any other answer read whole, as `request` reads it.
 */
export type StreamAnswer = { readonly ok: true; readonly lines: AsyncIterable<string> } | { readonly ok: false; readonly response: HttpResponse };

const RETRY_STATUS = new Set([429, 500, 502, 503, 504]);
const MAX_RETRY_AFTER_MS = 60_000;

/** The part of `fetch` that libraries taking a custom fetch (such as @slack/webhook) use. */
export interface FetchInit {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Text only: what JSON APIs send. */
  readonly body?: unknown;
}

/**
 * What such libraries read of a fetch Response. Not the global `Response`: touching Node's fetch
 * classes loads its bundled undici, ~45 ms of start-up.
 */
export interface FetchResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  readonly headers: { get(name: string): string | null; entries(): IterableIterator<[string, string]> };
  text(): Promise<string>;
  json(): Promise<unknown>;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
  /**
   * One attempt, no retries, at an answer that may go on for as long as the server likes (a watch).
   * Its timeout covers the wait for the answer to begin; then only `signal` or the step's signal
   * end it, and reading it ends with the signal's reason. Each line is held to MAX_STREAM_LINE_BYTES.
   */
  stream(req: HttpRequest, signal?: AbortSignal): Promise<StreamAnswer>;
  /** Requests sent so far, retries included. */
  readonly sent: number;
  /** A `fetch` for libraries that take one, going through this client's retries, proxy and CA. */
  fetch(url: string | URL, init?: FetchInit): Promise<FetchResponse>;
}

export function createHttpClient(opts: HttpOptions = {}): HttpClient {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const retries = opts.retries ?? 3;
  const sleep = opts.sleep ?? sleepUnless;
  const { signal, deadline } = opts;
  const log = opts.log ?? createLogger();
  const tls = { ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: opts.rejectUnauthorized ?? true, servername: opts.servername };
  const proxyEnv = opts.proxyEnv ?? process.env;
  const retryable = opts.retryable ?? (() => true);
  let sent = 0;
  let httpAgent: http.Agent | undefined;
  let httpsAgent: https.Agent | undefined;
  const agentFor = (secure: boolean): http.Agent => {
    if (secure) {
      httpsAgent ??= new (process.getBuiltinModule('node:https').Agent)({ keepAlive: true, proxyEnv, ...tls });
      return httpsAgent;
    }
    httpAgent ??= new (process.getBuiltinModule('node:http').Agent)({ keepAlive: true, proxyEnv });
    return httpAgent;
  };

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const attempts = 1 + (req.retries ?? retries);
    for (let attempt = 1; ; attempt++) {
      let res: HttpResponse | undefined;
      sent++;
      try {
        res = await once(req, agentFor, req.timeoutMs ?? timeoutMs, signal);
      } catch (err) {
        // An untrusted certificate is the same on every attempt; a stopped step tries nothing more.
        if (attempt >= attempts || isCertificateError(err) || err instanceof BodyTooLarge || stopOf(signal)) throw stopOf(signal)?.during(describe(req)) ?? networkError(req, err);
        const wait = backoff(attempt);
        log.debug(`${describe(req)}: ${(err as Error).message}; retrying in ${wait} ms`);
        await pause(req, wait);
        continue;
      }
      if (!RETRY_STATUS.has(res.status) || attempt >= attempts || !retryable(res)) return res;
      const asked = retryAfter(res) ?? capped(opts.retryAfterOf?.(res));
      const wait = asked ?? backoff(attempt);
      const left = deadline ? deadline.at - Date.now() : Number.POSITIVE_INFINITY;
      if (asked !== undefined && asked >= left) {
        // Waiting would only end in the step's timeout: the server's own answer says more.
        log.info(`${describe(req)}: HTTP ${res.status}; not retrying: the server asks to wait ${seconds(asked)} s, more than the ${seconds(Math.max(0, left))} s left of ${deadline!.limit}`);
        return res;
      }
      log.info(`${describe(req)}: HTTP ${res.status}; retrying in ${seconds(wait)} s (attempt ${attempt + 1} of ${attempts})`);
      await pause(req, wait);
    }
  }

  async function pause(req: HttpRequest, ms: number): Promise<void> {
    try {
      await sleep(ms, signal);
    } catch (err) {
      throw stopOf(signal)?.during(describe(req)) ?? err;
    }
  }

  async function stream(req: HttpRequest, own?: AbortSignal): Promise<StreamAnswer> {
    const stop = own && signal ? AbortSignal.any([signal, own]) : (own ?? signal);
    sent++;
    try {
      return await once(req, agentFor, req.timeoutMs ?? timeoutMs, stop, true);
    } catch (err) {
      throw stopOf(signal)?.during(describe(req)) ?? (own?.aborted ? own.reason : networkError(req, err));
    }
  }

  async function fetchVia(input: string | URL, init: FetchInit = {}): Promise<FetchResponse> {
    const url = String(input);
    if (init.body !== undefined && typeof init.body !== 'string') throw new TypeError('only text request bodies are supported');
    const res = await request({ url, method: init.method ?? 'GET', headers: init.headers, body: init.body });
    const headers = new Map<string, string>();
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
    return {
      ok: res.status >= 200 && res.status < 300,
      status: res.status,
      statusText: process.getBuiltinModule('node:http').STATUS_CODES[res.status] ?? '',
      url,
      headers: { get: (name) => headers.get(name.toLowerCase()) ?? null, entries: () => headers.entries() },
      text: async () => res.text(),
      json: async () => res.json(),
      arrayBuffer: async () => res.body.buffer.slice(res.body.byteOffset, res.body.byteOffset + res.body.byteLength) as ArrayBuffer,
    };
  }

  return {
    request,
    stream,
    fetch: fetchVia,
    get sent() {
      return sent;
    },
  };
}

/**
 * One attempt, ended by its own timeout or the step's signal, whichever comes first, whether the
 * server has not answered at all or stopped in the middle of its body. Streamed, a 2xx answer is
 * handed over as lines once it begins, and from then on only the signal ends it.
 */
function once(req: HttpRequest, agentFor: (secure: boolean) => http.Agent, timeoutMs: number, step: AbortSignal | undefined): Promise<HttpResponse>;
function once(req: HttpRequest, agentFor: (secure: boolean) => http.Agent, timeoutMs: number, step: AbortSignal | undefined, streamed: true): Promise<StreamAnswer>;
function once(req: HttpRequest, agentFor: (secure: boolean) => http.Agent, timeoutMs: number, step: AbortSignal | undefined, streamed = false): Promise<HttpResponse | StreamAnswer> {
  const url = new URL(req.url);
  const secure = url.protocol === 'https:';
  if (!secure && url.protocol !== 'http:') return Promise.reject(new Error(`unsupported protocol ${url.protocol}`));
  const body = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body);
  const headers: Record<string, string> = { ...req.headers };
  if (body) headers['content-length'] = String(body.length);
  if (step?.aborted) return Promise.reject(step.reason);
  return new Promise((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer);
      step?.removeEventListener('abort', stopped);
    };
    const fail = (err: Error) => {
      settle();
      r.destroy();
      reject(err);
    };
    const stopped = () => fail(step!.reason);
    const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    step?.addEventListener('abort', stopped, { once: true });
    const r = process.getBuiltinModule(secure ? 'node:https' : 'node:http').request(
      url,
      { method: req.method ?? 'GET', headers, agent: agentFor(secure) },
      (res) => {
        const status = res.statusCode ?? 0;
        if (streamed && status >= 200 && status <= 299) {
          clearTimeout(timer);
          resolve({ ok: true, lines: linesOf(res, step, () => fail(new Error('closed'))) });
          return;
        }
        const chunks: Buffer[] = [];
        let length = 0;
        res.on('data', (c: Buffer) => {
          length += c.length;
          if (length > MAX_HTTP_BODY_BYTES) fail(new BodyTooLarge());
          else chunks.push(c);
        });
        res.on('error', fail);
        res.on('end', () => {
          settle();
          const data = Buffer.concat(chunks);
          const response: HttpResponse = {
            status,
            headers: res.headers,
            body: data,
            text: () => data.toString('utf8'),
            json: <T>() => JSON.parse(data.toString('utf8')) as T,
          };
          resolve(streamed ? { ok: false, response } : response);
        });
      },
    );
    r.on('error', fail);
    r.end(body);
  });
}

/**
 * The answer's non-empty lines as they arrive. A line longer than MAX_STREAM_LINE_BYTES ends it;
 * so does the signal, with its reason. `close` releases the request however the reading ends.
 */
async function* linesOf(res: http.IncomingMessage, signal: AbortSignal | undefined, close: () => void): AsyncGenerator<string> {
  let pending: Buffer[] = [];
  let size = 0;
  const take = (part: Buffer) => {
    size += part.length;
    if (size > MAX_STREAM_LINE_BYTES) throw new BodyTooLarge(`a line of the answer is longer than ${formatBytes(MAX_STREAM_LINE_BYTES)}`);
    pending.push(part);
  };
  const line = () => {
    const text = Buffer.concat(pending).toString('utf8');
    pending = [];
    size = 0;
    return text;
  };
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      let start = 0;
      for (let nl = chunk.indexOf(10); nl !== -1; start = nl + 1, nl = chunk.indexOf(10, start)) {
        take(chunk.subarray(start, nl));
        const text = line();
        if (text.trim() !== '') yield text;
      }
      take(chunk.subarray(start));
    }
    const last = line();
    if (last.trim() !== '') yield last;
  } catch (err) {
    throw signal?.aborted ? signal.reason : err;
  } finally {
    close();
  }
}

function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
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
  return capped(ms);
}

function capped(ms: number | undefined): number | undefined {
  return ms !== undefined && Number.isFinite(ms) ? Math.min(Math.max(0, ms), MAX_RETRY_AFTER_MS) : undefined;
}

function describe(req: HttpRequest): string {
  const u = new URL(req.url);
  return `${req.method ?? 'GET'} ${u.protocol}//${u.host}`;
}

/** An untrusted, expired or mismatched server certificate (the error itself, or an HttpError's cause). */
export function isCertificateError(err: unknown): boolean {
  const e = err instanceof HttpError ? err.cause : err;
  return /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|ALTNAME/.test((e as NodeJS.ErrnoException | undefined)?.code ?? '');
}

/** An answer cut off at the body limit: it came, so the server was reached. */
export function isAnswerTooLarge(err: unknown): boolean {
  return (err instanceof HttpError ? err.cause : err) instanceof BodyTooLarge;
}

function networkError(req: HttpRequest, err: unknown): HttpError {
  const e = err as NodeJS.ErrnoException;
  const why = e.code ? `${e.code}${e.message && !e.message.includes(e.code) ? `: ${e.message}` : ''}` : e.message;
  return new HttpError(`${describe(req)} failed: ${why}`, {
    cause: err,
    hint: isCertificateError(err)
      ? 'The server certificate is not trusted: give its CA certificate in the settings.'
      : err instanceof BodyTooLarge
        ? 'Check that the address names the server you meant, and any proxy between.'
        : 'Check the address, and that the step can reach it (network policy, proxy settings).',
  });
}
