import { PluginError } from '../../shared/errors.ts';
import { type HttpClient, type HttpOptions, type HttpResponse, createHttpClient } from '../../shared/http.ts';
import { jsonOf } from '../../shared/json-answer.ts';
import { MAX_QUOTED_ANSWER_CHARS } from '../../shared/limits.ts';
import { excerpt } from '../../shared/secrets.ts';
import { groupVersionPath } from './api-path.ts';
import type { Connection } from './auth.ts';

/** A kube-apiserver `Status` failure, or the plain-text 404 it serves for unknown API groups. */
export interface Status {
  readonly code: number;
  readonly reason: string;
  readonly message: string;
  readonly details?: {
    readonly name?: string;
    readonly group?: string;
    readonly kind?: string;
    readonly causes?: ReadonlyArray<{ readonly reason?: string; readonly message?: string; readonly field?: string }>;
  };
}

export class KubeError extends Error {
  readonly status: Status;
  readonly method: string;
  readonly path: string;

  constructor(method: string, path: string, status: Status) {
    super(`${method} ${path}: ${status.code} ${status.reason}: ${status.message}`);
    this.name = 'KubeError';
    this.status = status;
    this.method = method;
    this.path = path;
  }
}

interface ResourceInfo {
  readonly name: string;
  readonly kind: string;
  readonly namespaced: boolean;
}

interface RequestOptions {
  readonly query?: Readonly<Record<string, string | undefined>>;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
}

/** One event of a watch: the object as it now is, or (type ERROR) a Status such as 410 Gone. */
export interface WatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly object: Record<string, unknown>;
}

export interface KubeClient {
  readonly connection: Connection;
  /** Requests sent so far, for the benchmark and the summary. */
  readonly sent: number;
  /** Throws KubeError unless the answer is 2xx; a 204 or empty body gives undefined. `date` is the answer's Date header. */
  call<T = unknown>(method: string, path: string, opts?: RequestOptions): Promise<{ status: number; body: T; warnings: string[]; date: string | undefined }>;
  text(path: string, query?: RequestOptions['query']): Promise<string>;
  /**
   * A watch (`?watch=1`) of a collection: its events as they come, until the server ends it or
   * `signal` is aborted (which closes the connection). Throws KubeError when the server refuses it.
   */
  watch(path: string, query: RequestOptions['query'], signal: AbortSignal): Promise<AsyncIterable<WatchEvent>>;
  /** The API resource of a kind, from discovery fetched once per group-version; undefined if not served. */
  resource(apiVersion: string, kind: string): Promise<ResourceInfo | undefined>;
}

// The server's message when an apply's object does not fit the schema (unknown field, wrong type).
const TYPED_PATCH_FAILURE = /^failed to create typed patch object \([^)]*\): /;

/** What a typed-patch failure says after its prefix (`.spec.x: field not declared in schema`); undefined for other messages. */
export function typedPatchProblem(message: string): string | undefined {
  return TYPED_PATCH_FAILURE.test(message) ? message.replace(TYPED_PATCH_FAILURE, '') : undefined;
}

/** The step's signal, deadline and logger, which every request of the client follows. */
type StepOptions = Pick<HttpOptions, 'signal' | 'deadline' | 'log'>;

export function createKubeClient(conn: Connection, step: StepOptions = {}): KubeClient {
  const http: HttpClient = createHttpClient({
    ...step,
    ca: conn.ca,
    cert: conn.cert,
    key: conn.key,
    rejectUnauthorized: conn.rejectUnauthorized,
    servername: conn.serverName,
    proxyEnv: conn.proxyUrl ? { HTTPS_PROXY: conn.proxyUrl, HTTP_PROXY: conn.proxyUrl } : undefined,
    timeoutMs: 60_000,
    // A typed-patch failure is a 500 that fails the same way each time: retrying only delays the error.
    retryable: (res) => !(res.status === 500 && typedPatchProblem(statusOf(res).message) !== undefined),
  });
  const discovery = new Map<string, Promise<Map<string, ResourceInfo> | undefined>>();
  const server = `the API server ${conn.server}`;

  async function send(method: string, path: string, o: RequestOptions): Promise<HttpResponse> {
    const url = conn.server + path + queryString(o.query);
    const headers: Record<string, string> = { accept: o.accept ?? 'application/json', ...(await conn.headers()) };
    let body: string | undefined;
    if (o.body !== undefined) {
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      headers['content-type'] = o.contentType ?? 'application/json';
    }
    return http.request({ url, method, headers, body });
  }

  async function call<T>(method: string, path: string, o: RequestOptions = {}) {
    const res = await send(method, path, o);
    if (res.status < 200 || res.status > 299) throw new KubeError(method, path, statusOf(res));
    const warnings = [res.headers.warning ?? []].flat().map((w) => w.replace(/^299 - "?|"$/g, '').replace(/\\"/g, '"'));
    return { status: res.status, body: (res.body.length > 0 ? jsonOf<T>(res, server) : undefined) as T, warnings, date: res.headers.date };
  }

  async function text(path: string, query?: RequestOptions['query']): Promise<string> {
    const res = await send('GET', path, { query, accept: '*/*' });
    if (res.status < 200 || res.status > 299) throw new KubeError('GET', path, statusOf(res));
    return res.text();
  }

  async function watch(path: string, query: RequestOptions['query'], signal: AbortSignal): Promise<AsyncIterable<WatchEvent>> {
    const url = conn.server + path + queryString({ ...query, watch: '1' });
    const answer = await http.stream({ url, headers: { accept: 'application/json', ...(await conn.headers()) } }, signal);
    if (!answer.ok) throw new KubeError('GET', path, statusOf(answer.response));
    return eventsOf(answer.lines, server);
  }

  function groupVersion(apiVersion: string): Promise<Map<string, ResourceInfo> | undefined> {
    let hit = discovery.get(apiVersion);
    if (!hit) {
      const path = groupVersionPath(apiVersion);
      hit = call<{ resources?: ResourceInfo[] }>('GET', path).then(
        ({ body }) => {
          if (!Array.isArray(body?.resources)) throw new PluginError(`${server} answered GET ${path} without a list of resources: it may not be a Kubernetes API server`);
          return new Map(body.resources.filter((r) => !r.name.includes('/')).map((r) => [r.kind, r]));
        },
        (err) => {
          if (err instanceof KubeError && err.status.code === 404) return undefined;
          discovery.delete(apiVersion);
          throw err;
        },
      );
      discovery.set(apiVersion, hit);
    }
    return hit;
  }

  return {
    connection: conn,
    get sent() {
      return http.sent;
    },
    call,
    text,
    watch,
    async resource(apiVersion, kind) {
      return (await groupVersion(apiVersion))?.get(kind);
    },
  };
}

async function* eventsOf(lines: AsyncIterable<string>, server: string): AsyncGenerator<WatchEvent> {
  for await (const line of lines) {
    let event: Partial<WatchEvent> | undefined;
    try {
      event = JSON.parse(line) as Partial<WatchEvent>;
    } catch {
      // Reported below with the others that are not events.
    }
    if (!event || typeof event.type !== 'string' || typeof event.object !== 'object' || event.object === null) {
      throw new PluginError(`${server} sent a watch event that is not one: ${excerpt(line.trim(), MAX_QUOTED_ANSWER_CHARS)}`);
    }
    yield event as WatchEvent;
  }
}

function queryString(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, v);
  const s = params.toString();
  return s ? `?${s}` : '';
}

function statusOf(res: HttpResponse): Status {
  const raw = res.text();
  try {
    const s = JSON.parse(raw) as Partial<Status> & { kind?: string };
    if (s && s.kind === 'Status') return { code: s.code ?? res.status, reason: s.reason ?? '', message: s.message ?? '', details: s.details };
  } catch {
    // Not JSON: the plain-text 404 of an API group the server does not serve, or a proxy's page.
  }
  return { code: res.status, reason: res.status === 404 ? 'NotFound' : '', message: excerpt(raw.trim(), MAX_QUOTED_ANSWER_CHARS) || `HTTP ${res.status}` };
}

/** The plain-text 404 of a group the server does not serve at all (no CRD for it). */
export function isUnservedGroup(err: unknown): boolean {
  return err instanceof KubeError && err.status.code === 404 && err.status.reason === 'NotFound' && !err.status.details && /page not found/.test(err.status.message);
}

/** The Status 404 of an apply into a namespace that does not exist. */
export function missingNamespace(err: unknown): string | undefined {
  if (!(err instanceof KubeError) || err.status.code !== 404) return undefined;
  const d = err.status.details;
  return d?.kind === 'namespaces' ? d.name : undefined;
}

