import { type HttpStandIn, startHttpStandIn } from '../http-stand-in.ts';

/**
 * A stand-in for a Mattermost server's incoming webhooks on loopback, which take Slack's webhook
 * format (`text`, `channel`, `username`, `icon_url`, `icon_emoji`, `attachments`). It answers as
 * Mattermost does: `200 ok` as plain text, or its JSON error (`{"id": "<i18n id>", "message",
 * "status_code"}`), and ignores what it does not know (Slack's `blocks`, `mrkdwn_in`).
 */
/** A post as Mattermost makes it from a webhook request. */
export interface Post {
  readonly channel: string;
  readonly message: string;
  readonly username?: string;
  readonly attachments: readonly Record<string, unknown>[];
}

export interface MattermostStandIn extends HttpStandIn {
  readonly webhookUrl: string;
  readonly hookId: string;
  readonly posts: Post[];
}

/** Mattermost's limit for one post's text (model.PostMessageMaxRunesV2). */
const MAX_POST_RUNES = 16_383;
const CHANNELS = new Set(['town-square', 'deployments']);

export async function startMattermostStandIn(): Promise<MattermostStandIn> {
  const hookId = 'sortie8mattermost3hook5id7xy';
  const posts: Post[] = [];
  const server = await startHttpStandIn(
    (req, res) => {
      const error = (status: number, id: string, message: string) =>
        res
          .writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'sortie0request0id' })
          .end(JSON.stringify({ id, message, detailed_error: '', request_id: 'sortie0request0id', status_code: status }));
      const match = /^\/hooks\/([a-z0-9]+)$/.exec(req.path);
      if (!match || req.method !== 'POST') return error(404, 'api.context.404.app_error', 'Sorry, we could not find the page.');
      if (match[1] !== hookId) return error(400, 'web.incoming_webhook.invalid.app_error', 'Invalid webhook.');
      if (!req.json || req.body === null || typeof req.body !== 'object') return error(400, 'api.webhook.incoming.invalid_payload.app_error', 'Unable to parse the incoming data.');
      const m = req.body as { text?: unknown; channel?: unknown; username?: unknown; attachments?: unknown };
      const attachments = Array.isArray(m.attachments) ? (m.attachments as Record<string, unknown>[]) : [];
      if (m.text !== undefined && typeof m.text !== 'string') return error(400, 'api.webhook.incoming.invalid_payload.app_error', 'Unable to parse the incoming data.');
      if (!m.text && attachments.length === 0) return error(400, 'web.incoming_webhook.text.app_error', 'No text specified.');
      if ([...String(m.text ?? '')].length > MAX_POST_RUNES) return error(400, 'model.post.is_valid.msg.app_error', 'Invalid message.');
      // "#deployments" and "deployments" name the same channel; "@user" a direct message.
      const channel = typeof m.channel === 'string' && m.channel ? m.channel.replace(/^#/, '') : 'town-square';
      if (!channel.startsWith('@') && !CHANNELS.has(channel)) return error(404, 'web.incoming_webhook.channel.app_error', "Couldn't find the channel.");
      posts.push({ channel, message: String(m.text ?? ''), username: typeof m.username === 'string' ? m.username : undefined, attachments });
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    },
    { scriptedType: 'application/json' },
  );
  return { ...server, webhookUrl: `${server.url}/hooks/${hookId}`, hookId, posts };
}
