import { formParts } from '../form-parts.ts';
import { startHttpStandIn, type HttpStandIn } from '../http-stand-in.ts';

/**
 * A stand-in for Discord's Execute Webhook endpoint on loopback, checking what Discord checks:
 * the webhook id and token, the field types, the length limits (answering `400 Invalid Form Body`,
 * code 50035, as Discord does), an empty message (50006), threads (forum or not), the flags a
 * webhook may set, and `wait` (200 with the message, else 204).
 */
export interface DiscordStandIn extends HttpStandIn {
  readonly apiUrl: string;
  readonly webhookId: string;
  readonly token: string;
  readonly webhookUrl: string;
  /** A thread of the webhook's channel that `thread_id` may name. */
  readonly threadId: string;
  /** Files received in multipart uploads (as text). */
  readonly uploads: Upload[];
}

interface Upload {
  readonly filename: string;
  readonly content: string;
}

const LIMITS: Array<[string, (m: Message) => unknown[], number]> = [
  ['content', (m) => [m.content], 2000],
  ['username', (m) => [m.username], 80],
  ['thread_name', (m) => [m.thread_name], 100],
  ['embeds.title', (m) => (m.embeds ?? []).map((e) => e.title), 256],
  ['embeds.description', (m) => (m.embeds ?? []).map((e) => e.description), 4096],
  ['embeds.footer.text', (m) => (m.embeds ?? []).map((e) => e.footer?.text), 2048],
  ['embeds.author.name', (m) => (m.embeds ?? []).map((e) => e.author?.name), 256],
  ['embeds.fields.name', (m) => (m.embeds ?? []).flatMap((e) => (e.fields ?? []).map((f) => f.name)), 256],
  ['embeds.fields.value', (m) => (m.embeds ?? []).flatMap((e) => (e.fields ?? []).map((f) => f.value)), 1024],
];

interface Embed {
  title?: string;
  description?: string;
  color?: unknown;
  footer?: { text?: string };
  author?: { name?: string };
  fields?: Array<{ name?: string; value?: string }>;
}

interface Message {
  content?: string;
  username?: string;
  avatar_url?: string;
  tts?: unknown;
  flags?: unknown;
  thread_name?: string;
  embeds?: Embed[];
}

const ALLOWED_FLAGS = (1 << 2) | (1 << 12);
const chars = (s: unknown) => (typeof s === 'string' ? [...s].length : 0);

export async function startDiscordStandIn(opts: { forum?: boolean } = {}): Promise<DiscordStandIn> {
  const webhookId = '1180000000000000042';
  const token = 'sortie-discord-token_0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP';
  const threadId = '1180000000000000777';
  let nextId = 1180000000000001000n;
  const uploads: Upload[] = [];

  const standIn = await startHttpStandIn((req, res) => {
    const json = (status: number, answer?: object) => (answer === undefined ? res.writeHead(status).end() : res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer)));
    const body = req.body;
    const m = /^\/api\/webhooks\/([^/]+)\/([^/?]+)(\?|$)/.exec(req.path);
    if (!m) return json(404, { message: '404: Not Found', code: 0 });
    if (req.method !== 'POST') return json(405, { message: '405: Method Not Allowed', code: 0 });
    if (m[1] !== webhookId) return json(404, { message: 'Unknown Webhook', code: 10015 });
    if (m[2] !== token) return json(401, { message: 'Invalid Webhook Token', code: 50027 });
    const type = String(req.headers['content-type']);
    let msg: Message;
    let files: Upload[] = [];
    if (type.startsWith('multipart/form-data')) {
      if (req.bytes > 10 * 1024 * 1024) return json(413, { message: 'Request entity too large', code: 40005 });
      const form = formParts(String(body ?? ''), type);
      files = form.filter((p) => /^files\[\d+\]$/.test(p.name)).map((p) => ({ filename: p.filename ?? '', content: p.content }));
      const payload = form.find((p) => p.name === 'payload_json');
      try {
        msg = payload ? (JSON.parse(payload.content) as Message) : {};
      } catch {
        return json(400, { message: 'The request body contains invalid JSON.', code: 50109 });
      }
    } else if (type.startsWith('application/json')) {
      if (!req.json || typeof body !== 'object' || body === null) return json(400, { message: 'The request body contains invalid JSON.', code: 50109 });
      msg = body as Message;
    } else return json(400, { message: 'Cannot send an empty message', code: 50006 });
    const errors = formErrors(msg);
    if (Object.keys(errors).length > 0) return json(400, { message: 'Invalid Form Body', code: 50035, errors });
    if (!msg.content && !(msg.embeds ?? []).length && files.length === 0) return json(400, { message: 'Cannot send an empty message', code: 50006 });
    const thread = req.query.thread_id;
    if (thread && msg.thread_name) return json(400, { message: 'Cannot specify both thread_id and thread_name', code: 50035 });
    if (opts.forum && !thread && !msg.thread_name) return json(400, { message: 'Webhooks posted to forum channels must have a thread_name or thread_id', code: 220001 });
    if (!opts.forum && msg.thread_name) return json(400, { message: 'Webhooks can only create threads in forum channels', code: 220003 });
    if (thread && thread !== threadId) return json(400, { message: 'Unknown Channel', code: 10003 });
    uploads.push(...files);
    if (req.query.wait !== 'true') return json(204);
    nextId += 1n;
    return json(200, { id: String(nextId), type: 0, channel_id: thread ?? '1180000000000000100', webhook_id: webhookId, ...msg });
  }, { scriptedType: 'application/json' });

  function formErrors(m: Message): Record<string, unknown> {
    const errors: Record<string, unknown> = {};
    const add = (field: string, code: string, message: string) => {
      errors[field] = { _errors: [{ code, message }] };
    };
    for (const field of ['content', 'username', 'avatar_url', 'thread_name'] as const) {
      if (m[field] !== undefined && typeof m[field] !== 'string') add(field, 'STRING_TYPE_CONVERT', 'Could not interpret value as string.');
    }
    if (typeof m.avatar_url === 'string' && !/^https?:\/\/\S+$/.test(m.avatar_url)) add('avatar_url', 'URL_TYPE_INVALID_URL', 'Not a well formed URL.');
    if (m.tts !== undefined && typeof m.tts !== 'boolean') add('tts', 'BOOLEAN_TYPE_COERCE', 'Must be either true or false.');
    if (m.flags !== undefined && (typeof m.flags !== 'number' || (m.flags & ~ALLOWED_FLAGS) !== 0)) add('flags', 'MESSAGE_FLAGS_INVALID', 'Invalid message flags.');
    if (m.embeds !== undefined && (!Array.isArray(m.embeds) || m.embeds.length > 10)) add('embeds', 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
    for (const [i, e] of (m.embeds ?? []).entries()) {
      if (e.color !== undefined && (!Number.isInteger(e.color) || (e.color as number) < 0 || (e.color as number) > 0xffffff)) add(`embeds.${i}.color`, 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 16777215.');
      if ((e.fields ?? []).length > 25) add(`embeds.${i}.fields`, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
    }
    for (const [field, values, max] of LIMITS) {
      if (values(m).some((v) => chars(v) > max)) add(field, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
    }
    const total = (m.embeds ?? []).reduce((sum, e) => sum + chars(e.title) + chars(e.description) + chars(e.footer?.text) + chars(e.author?.name) + (e.fields ?? []).reduce((n, f) => n + chars(f.name) + chars(f.value), 0), 0);
    if (total > 6000) add('embeds', 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
    if (typeof m.username === 'string' && /discord|clyde/i.test(m.username)) add('username', 'USERNAME_INVALID_CONTAINS', 'Username cannot contain "discord"');
    return errors;
  }

  return { ...standIn, uploads, apiUrl: `${standIn.url}/api`, webhookId, token, webhookUrl: `${standIn.url}/api/webhooks/${webhookId}/${token}`, threadId };
}
