import { createHmac } from 'node:crypto';
import type { BuildContext } from '../../shared/context/index.ts';
import type { Values } from '../../shared/settings/index.ts';
import type { settings } from './settings.ts';

type WebhookSettings = Values<typeof settings>;

/** The one request every URL gets, decided without I/O. */
export interface WebhookRequest {
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export function planRequest(s: WebhookSettings, body: string): WebhookRequest {
  const headers: Record<string, string> = { 'Content-Type': s.content_type };
  for (const [name, value] of Object.entries(s.headers)) headers[name] = value;
  if (s.username !== undefined && s.password !== undefined) headers.Authorization = `Basic ${Buffer.from(`${s.username}:${s.password}`).toString('base64')}`;
  if (s.token_value !== undefined) headers.Authorization = `${s.token_type} ${s.token_value}`;
  if (s.signature_secret !== undefined) headers[s.signature_header] = signatureOf(s.signature_secret, body);
  return { method: s.method.toUpperCase(), headers, body };
}

/** What GitHub and most receivers verify: `sha256=` and the hex HMAC-SHA256 of the exact body bytes. */
function signatureOf(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * plugins/webhook's body, field for field, encoded as Go's json.Encoder does (HTML characters
 * escaped, a closing newline), so a receiver that compares or signs bytes sees no change.
 */
export function defaultBody(b: BuildContext): string {
  const body = {
    repo: { owner: b.repo.owner, name: b.repo.name },
    build: {
      tag: b.build.tag,
      event: b.build.event,
      number: b.build.number,
      commit: b.commit.sha,
      ref: b.commit.ref,
      branch: b.commit.branch,
      author: b.commit.author.username,
      message: b.commit.message,
      status: b.build.status,
      link: b.build.link,
      started: b.build.started,
      created: b.build.created,
    },
  };
  return `${JSON.stringify(body).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}\n`;
}

/** Without `valid_response_codes`, any 2xx; with it, only the codes it lists. */
export function isDelivered(status: number, validCodes: readonly string[]): boolean {
  return validCodes.length === 0 ? status >= 200 && status <= 299 : validCodes.includes(String(status));
}

/** The request as `debug` shows it: credentials in headers are never printed, masked or not. */
export function shownHeaders(req: WebhookRequest, s: WebhookSettings): Record<string, string> {
  const hidden = new Set(['authorization', s.signature_header.toLowerCase()]);
  return Object.fromEntries(Object.entries(req.headers).map(([name, value]) => [name, hidden.has(name.toLowerCase()) ? '(hidden)' : value]));
}
