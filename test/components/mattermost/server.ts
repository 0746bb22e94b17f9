import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for a Mattermost server's incoming webhooks on loopback, which take Slack's webhook
 * format (`text`, `channel`, `username`, `icon_url`, `icon_emoji`, `attachments`). It answers as
 * Mattermost does: `200 ok` as plain text, or its JSON error (`{"id": "<i18n id>", "message",
 * "status_code"}`), and ignores what it does not know (Slack's `blocks`, `mrkdwn_in`).
 */
interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: unknown;
}

interface ScriptedAnswer {
  readonly status: number;
  readonly body?: string;
  readonly headers?: Record<string, string>;
}

/** A post as Mattermost makes it from a webhook request. */
export interface Post {
  readonly channel: string;
  readonly message: string;
  readonly username?: string;
  readonly attachments: readonly Record<string, unknown>[];
}

export interface MattermostStandIn {
  readonly url: string;
  readonly webhookUrl: string;
  readonly hookId: string;
  readonly received: Received[];
  readonly posts: Post[];
  script(answers: ScriptedAnswer[]): void;
  close(): Promise<void>;
}

/** Mattermost's limit for one post's text (model.PostMessageMaxRunesV2). */
const MAX_POST_RUNES = 16_383;
const CHANNELS = new Set(['town-square', 'deployments']);

export async function startMattermostStandIn(): Promise<MattermostStandIn> {
  const hookId = 'sortie8mattermost3hook5id7xy';
  const received: Received[] = [];
  const posts: Post[] = [];
  const scripted: ScriptedAnswer[] = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      let parsed = true;
      try {
        body = JSON.parse(raw);
      } catch {
        parsed = false;
      }
      received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const error = (status: number, id: string, message: string) =>
        res
          .writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'sortie0request0id' })
          .end(JSON.stringify({ id, message, detailed_error: '', request_id: 'sortie0request0id', status_code: status }));
      const next = scripted.shift();
      if (next) {
        res.writeHead(next.status, { 'content-type': 'application/json', ...next.headers }).end(next.body ?? '');
        return;
      }
      const match = /^\/hooks\/([a-z0-9]+)$/.exec(req.url ?? '');
      if (!match || req.method !== 'POST') return error(404, 'api.context.404.app_error', 'Sorry, we could not find the page.');
      if (match[1] !== hookId) return error(400, 'web.incoming_webhook.invalid.app_error', 'Invalid webhook.');
      if (!parsed || body === null || typeof body !== 'object') return error(400, 'api.webhook.incoming.invalid_payload.app_error', 'Unable to parse the incoming data.');
      const m = body as { text?: unknown; channel?: unknown; username?: unknown; attachments?: unknown };
      const attachments = Array.isArray(m.attachments) ? (m.attachments as Record<string, unknown>[]) : [];
      if (m.text !== undefined && typeof m.text !== 'string') return error(400, 'api.webhook.incoming.invalid_payload.app_error', 'Unable to parse the incoming data.');
      if (!m.text && attachments.length === 0) return error(400, 'web.incoming_webhook.text.app_error', 'No text specified.');
      if ([...String(m.text ?? '')].length > MAX_POST_RUNES) return error(400, 'model.post.is_valid.msg.app_error', 'Invalid message.');
      // "#deployments" and "deployments" name the same channel; "@user" a direct message.
      const channel = typeof m.channel === 'string' && m.channel ? m.channel.replace(/^#/, '') : 'town-square';
      if (!channel.startsWith('@') && !CHANNELS.has(channel)) return error(404, 'web.incoming_webhook.channel.app_error', 'Couldn\'t find the channel.');
      posts.push({ channel, message: String(m.text ?? ''), username: typeof m.username === 'string' ? m.username : undefined, attachments });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    webhookUrl: `${url}/hooks/${hookId}`,
    hookId,
    received,
    posts,
    script: (answers) => void scripted.push(...answers),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
