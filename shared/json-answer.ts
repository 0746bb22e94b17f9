import { PluginError } from './errors.ts';
import type { HttpResponse } from './http.ts';
import { MAX_QUOTED_ANSWER_CHARS } from './limits.ts';
import { excerpt } from './secrets.ts';

/**
 * An answer's JSON body. A body that is not JSON (a proxy's HTML login page, a cut-off answer) is
 * the server's doing, so it fails naming the server and quoting the start of what it sent, masked
 * before it is cut.
 */
export function jsonOf<T>(res: HttpResponse, server: string): T {
  const text = res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw notJson(res, server, text);
  }
}

function notJson(res: HttpResponse, server: string, text: string): PluginError {
  const type = [res.headers['content-type'] ?? ''].flat()[0]!.split(';')[0]!.trim();
  const flat = text.replace(/\s+/g, ' ').trim();
  const quoted = excerpt(flat, MAX_QUOTED_ANSWER_CHARS);
  const html = /html/i.test(type) || /^<(!doctype|html)/i.test(flat);
  return new PluginError(`${server} answered HTTP ${res.status} with ${quoted ? 'something that is not JSON' : 'an empty body'}${type ? ` (${type})` : ''}${quoted ? `: ${quoted}` : ''}`, {
    hint: html
      ? 'An HTML page usually comes from a proxy, a login page or a load balancer in front of the server: check the address, and the proxy settings (HTTPS_PROXY, NO_PROXY).'
      : 'The answer was cut off or does not come from the server you meant: check the address, and retry.',
  });
}

/** A field of a JSON text (`errcode`, `parameters.retry_after`); undefined when the text is not JSON or lacks it. */
export function jsonField(text: string, ...path: string[]): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return value;
}
