import { formParts } from '../form-parts.ts';
import { type HttpStandIn, type ScriptedAnswer, startHttpStandIn } from '../http-stand-in.ts';
import { htmlProblem, markdownV2Problem, visibleLength } from './entities.ts';

/**
 * A stand-in for the Telegram Bot API's sendMessage on loopback. It answers as the Bot API does,
 * always `{"ok": ..., "error_code", "description"}` with the error code as the HTTP status: 401 for
 * a wrong token, 400 for an unknown chat, a missing topic, an empty or too long text and text whose
 * entities do not parse (checked by ./entities.ts), 429 with `parameters.retry_after` (and no
 * Retry-After header) when scripted.
 */
export interface TelegramStandIn extends HttpStandIn {
  readonly token: string;
  /** A private chat, a forum supergroup (with topic 7) and a channel the bot may post to. */
  readonly chats: { readonly user: number; readonly forum: number; readonly channel: string };
  /** A 429 as the Bot API sends it, asking to wait `seconds`. */
  tooManyRequests(seconds: number): ScriptedAnswer;
  /** Files received by sendPhoto, sendDocument ... (as text), with their form's other fields. */
  readonly uploads: Array<{ method: string; filename: string; content: string; fields: Record<string, string> }>;
}

/** sendLocation and sendVenue: coordinates, and a venue's title and address. */
const PLACES = new Set(['sendLocation', 'sendVenue']);

/** The upload methods and the field each takes its file in. */
const UPLOADS: Record<string, string> = { sendPhoto: 'photo', sendDocument: 'document', sendSticker: 'sticker', sendAudio: 'audio', sendVoice: 'voice', sendVideo: 'video' };

interface SendMessage {
  chat_id?: unknown;
  text?: unknown;
  parse_mode?: unknown;
  message_thread_id?: unknown;
  disable_notification?: unknown;
  link_preview_options?: unknown;
}

export async function startTelegramStandIn(): Promise<TelegramStandIn> {
  const token = '7000000042:AAHsortieTelegramStandInTokenValue12';
  const chats = { user: 12345678, forum: -1001234567890, channel: '@sortie_builds' };
  const topics = new Map<unknown, number[]>([[chats.forum, [7]]]);
  let messageId = 100;
  const uploads: TelegramStandIn['uploads'] = [];

  const standIn = await startHttpStandIn((req, res) => {
    const json = (status: number, answer: object) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    const fail = (code: number, description: string) => json(code, { ok: false, error_code: code, description });
    const body = req.body ?? {};
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(req.path.split('?')[0]!);
    if (!m) return fail(404, 'Not Found');
    if (m[1] !== token) return fail(401, 'Unauthorized');
    const method = m[2]!;
    if (method !== 'sendMessage' && !UPLOADS[method] && !PLACES.has(method)) return fail(404, 'Not Found');
    const type = String(req.headers['content-type']);
    const form = type.startsWith('multipart/form-data') ? formParts(String(req.body ?? ''), type) : undefined;
    if (!form && ((req.body !== undefined && !req.json) || typeof body !== 'object' || body === null)) return fail(400, "Bad Request: can't parse JSON");
    const msg = (form ? Object.fromEntries(form.filter((f) => f.filename === undefined).map((f) => [f.name, f.content])) : body) as SendMessage;
    if (form && msg.message_thread_id !== undefined) msg.message_thread_id = Number(msg.message_thread_id);
    if (form && msg.disable_notification !== undefined) msg.disable_notification = msg.disable_notification === 'true';
    const chat = typeof msg.chat_id === 'string' && /^-?\d+$/.test(msg.chat_id) ? Number(msg.chat_id) : msg.chat_id;
    if (chat === undefined) return fail(400, 'Bad Request: chat_id is empty');
    if (chat !== chats.user && chat !== chats.forum && chat !== chats.channel) return fail(400, 'Bad Request: chat not found');
    if (msg.message_thread_id !== undefined && !(topics.get(chat) ?? []).includes(msg.message_thread_id as number)) return fail(400, 'Bad Request: message thread not found');
    if (PLACES.has(method)) {
      const place = msg as { latitude?: unknown; longitude?: unknown; title?: unknown; address?: unknown };
      if (typeof place.latitude !== 'number' || Math.abs(place.latitude) > 90 || typeof place.longitude !== 'number' || Math.abs(place.longitude) > 180) return fail(400, 'Bad Request: wrong location');
      if (method === 'sendVenue' && (typeof place.title !== 'string' || !place.title || typeof place.address !== 'string' || !place.address)) return fail(400, 'Bad Request: venue title and address must be non-empty');
      messageId += 1;
      return json(200, { ok: true, result: { message_id: messageId, chat: { id: chat }, date: 1700000000, location: { latitude: place.latitude, longitude: place.longitude } } });
    }
    if (method !== 'sendMessage') {
      const field = UPLOADS[method]!;
      const file = form?.find((f) => f.name === field && f.filename !== undefined);
      if (!file) return fail(400, `Bad Request: there is no ${field} in the request`);
      uploads.push({ method, filename: file.filename!, content: file.content, fields: msg as Record<string, string> });
      messageId += 1;
      return json(200, { ok: true, result: { message_id: messageId, chat: { id: chat }, date: 1700000000, [field]: { file_name: file.filename } } });
    }
    if (typeof msg.text !== 'string' || msg.text.trim() === '') return fail(400, 'Bad Request: message text is empty');
    if (msg.disable_notification !== undefined && typeof msg.disable_notification !== 'boolean') return fail(400, 'Bad Request: invalid disable_notification');
    const mode = typeof msg.parse_mode === 'string' ? msg.parse_mode.toLowerCase() : '';
    if (mode !== '' && mode !== 'markdownv2' && mode !== 'html' && mode !== 'markdown') return fail(400, 'Bad Request: unsupported parse_mode');
    const problem = mode === 'markdownv2' ? markdownV2Problem(msg.text) : mode === 'html' ? htmlProblem(msg.text) : undefined;
    if (problem) return fail(400, `Bad Request: can't parse entities: ${problem}`);
    if (visibleLength(msg.text, mode) > 4096) return fail(400, 'Bad Request: message is too long');
    messageId += 1;
    return json(200, { ok: true, result: { message_id: messageId, chat: { id: chat }, date: 1700000000, text: msg.text, message_thread_id: msg.message_thread_id } });
  }, { scriptedType: 'application/json' });

  return {
    ...standIn,
    token,
    chats,
    uploads,
    tooManyRequests: (seconds) => ({ status: 429, body: JSON.stringify({ ok: false, error_code: 429, description: `Too Many Requests: retry after ${seconds}`, parameters: { retry_after: seconds } }) }),
  };
}
