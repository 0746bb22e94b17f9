import { PluginError } from '../errors.ts';
import { HttpError, type HttpClient, type HttpRequest, type HttpResponse } from '../http.ts';
import { MAX_QUOTED_ANSWER_CHARS } from '../limits.ts';
import { excerpt } from '../secrets.ts';

/** Where a request goes, and how its errors name it. */
export interface ServiceRequest {
  /** Secret as a whole (a webhook) or in part (a token in its path): never printed, only its host. */
  readonly url: string;
  /** The service's name as people know it: `Microsoft Teams`, `Google Chat`. */
  readonly service: string;
  /** The setting the address comes from, named in every error. */
  readonly setting: string;
  /** What an error answer means for the person reading the log, from its status and text. */
  readonly hint?: (status: number, text: string) => string | undefined;
}

interface JsonRequest extends ServiceRequest {
  readonly body: unknown;
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * One JSON request to a chat service. The client retries 429 and 5xx (honouring Retry-After)
 * within the step's deadline; an answer that is still an error fails the step, quoting the
 * service's own text (masked, then cut) and naming the setting.
 */
export function sendJson(http: HttpClient, req: JsonRequest): Promise<HttpResponse> {
  const request = {
    url: req.url,
    method: req.method ?? 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...req.headers },
    body: JSON.stringify(req.body),
  };
  return deliver(http, request, req, (answer) => `posting to ${req.service} (settings.${req.setting}) failed: ${answer}`);
}

/**
 * Sends one request; no answer at all, or an answer that is still an error after the client's
 * retries, becomes the step's error: `failed` words it around the quoted answer.
 */
export async function deliver(http: HttpClient, request: HttpRequest, to: ServiceRequest, failed: (answer: string) => string): Promise<HttpResponse> {
  const res = await http.request(request).catch((err: unknown) => {
    throw unreachable(to.setting, to.service, err);
  });
  if (res.status >= 200 && res.status < 300) return res;
  const text = oneLine(res);
  throw new PluginError(failed(answerOf(res.status, text)), { hint: to.hint?.(res.status, text) ?? statusHint(res.status, to.setting) });
}

/** `HTTP 400: <the server's text, masked, then cut>`, or `HTTP 404 with an empty body`. */
export function answerText(res: HttpResponse): string {
  return answerOf(res.status, oneLine(res));
}

function oneLine(res: HttpResponse): string {
  return res.text().replace(/\s+/g, ' ').trim();
}

function answerOf(status: number, text: string): string {
  const quoted = excerpt(text, MAX_QUOTED_ANSWER_CHARS);
  return `HTTP ${status}${quoted ? `: ${quoted}` : ' with an empty body'}`;
}

function statusHint(status: number, setting: string): string | undefined {
  if (status === 401 || status === 403) return `The service refused the credentials: check the secret behind settings.${setting}.`;
  if (status === 404) return `The address was not found (a removed webhook?): check the secret behind settings.${setting}.`;
  if (status === 429 || status >= 500) return 'The service kept failing after the retries: try again later, or raise settings.timeout.';
  return undefined;
}

/**
 * A request that got no answer at all (refused, unknown host, timed out), named by the setting that
 * holds its address; any other error (a stop, a cancel) is returned as it is.
 */
export function unreachable(setting: string, service: string, err: unknown): unknown {
  if (!(err instanceof HttpError) || err.status !== 0) return err;
  return new PluginError(`settings.${setting}: cannot reach ${service}: ${err.message}`, { hint: err.hint, cause: err });
}
