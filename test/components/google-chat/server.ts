import { type HttpStandIn, startHttpStandIn } from '../http-stand-in.ts';

/**
 * A stand-in for Google Chat's incoming webhooks on loopback: `POST /v1/spaces/<space>/messages`
 * with the webhook's `key` and `token`, answering as the Chat API does: the created message as
 * JSON, or Google's error body `{"error": {"code", "message", "status"}}`. Threads are kept by
 * key (`thread.threadKey` in the body, or the older `threadKey` query parameter), as Chat keeps
 * them; without `messageReplyOption` a key is ignored and every message starts a thread, as in Chat.
 */
export interface GoogleChatStandIn extends HttpStandIn {
  /** The whole webhook URL, as Chat shows it; the token is the secret part. */
  readonly webhookUrl: string;
  /** The space's URL alone, as drone-google-chat took it (with `key` and `token` apart). */
  readonly spaceUrl: string;
  readonly key: string;
  readonly token: string;
}

const SPACE = 'AAAAsortie1';
/** Chat's limit for one message, text and cards together. */
const MAX_MESSAGE_BYTES = 32_000;
const MESSAGE_FIELDS = new Set(['text', 'cardsV2', 'thread', 'fallbackText', 'accessoryWidgets']);
const WIDGETS = new Set(['textParagraph', 'decoratedText', 'buttonList', 'image', 'divider', 'columns', 'grid']);

export async function startGoogleChatStandIn(): Promise<GoogleChatStandIn> {
  const key = 'AIzaSyDdI0hCZtE6vySjMm-WEfRq3CPzqKqqsHI';
  const token = 'sortie-chat-token-Zx9Yw8Vu7';
  const threads = new Map<string, string>();
  let messages = 0;

  const server = await startHttpStandIn(
    (req, res) => {
      const json = (status: number, answer: object) => res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8' }).end(JSON.stringify(answer, null, 2));
      const error = (code: number, status: string, message: string) => json(code, { error: { code, message, status } });
      const match = /^\/v1\/spaces\/([^/]+)\/messages$/.exec(new URL(req.path, 'http://stand-in').pathname);
      if (!match || req.method !== 'POST') return error(404, 'NOT_FOUND', 'Requested entity was not found.');
      if (!req.query.key) return error(403, 'PERMISSION_DENIED', 'The request is missing a valid API key.');
      if (req.query.key !== key) return error(400, 'INVALID_ARGUMENT', 'API key not valid. Please pass a valid API key.');
      if (req.query.token !== token) return error(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
      if (match[1] !== SPACE) return error(404, 'NOT_FOUND', 'Requested entity was not found.');
      if (!req.json || req.body === null || typeof req.body !== 'object' || Array.isArray(req.body)) return error(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. Unexpected token.');
      const m = req.body as Record<string, unknown>;
      const problem = messageProblem(m, req.bytes);
      if (problem) return error(400, 'INVALID_ARGUMENT', problem);

      const option = req.query.messageReplyOption;
      const keyGiven = (m.thread as { threadKey?: string } | undefined)?.threadKey ?? req.query.threadKey;
      const threadKey = option && option !== 'MESSAGE_REPLY_OPTION_UNSPECIFIED' ? keyGiven : undefined;
      if (option && !['REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD', 'REPLY_MESSAGE_OR_FAIL', 'MESSAGE_REPLY_OPTION_UNSPECIFIED'].includes(option)) {
        return error(400, 'INVALID_ARGUMENT', `Invalid value at 'message_reply_option' (type.googleapis.com/google.chat.v1.CreateMessageRequest.MessageReplyOption), "${option}"`);
      }
      if (threadKey && option === 'REPLY_MESSAGE_OR_FAIL' && !threads.has(threadKey)) return error(404, 'NOT_FOUND', 'Thread with the given threadKey was not found.');
      messages += 1;
      let thread = threadKey ? threads.get(threadKey) : undefined;
      if (!thread) {
        thread = `spaces/${SPACE}/threads/t${messages}`;
        if (threadKey) threads.set(threadKey, thread);
      }
      return json(200, {
        name: `spaces/${SPACE}/messages/m${messages}.m${messages}`,
        sender: { name: 'users/114022495153014004089', displayName: 'Drone', type: 'BOT' },
        createTime: new Date(1_700_000_000_000 + messages * 1000).toISOString(),
        text: m.text ?? '',
        ...(m.cardsV2 ? { cardsV2: m.cardsV2 } : {}),
        thread: { name: thread, ...(threadKey ? { threadKey } : {}) },
        space: { name: `spaces/${SPACE}`, type: 'ROOM', spaceType: 'SPACE' },
        argumentText: m.text ?? '',
      });
    },
    { scriptedType: 'application/json; charset=UTF-8' },
  );
  const spaceUrl = `${server.url}/v1/spaces/${SPACE}`;
  return { ...server, webhookUrl: `${spaceUrl}/messages?key=${key}&token=${token}`, spaceUrl, key, token };
}

/** What Chat's API says of a message it will not post, in its own words. */
function messageProblem(m: Record<string, unknown>, bytes: number): string | undefined {
  const unknown = Object.keys(m).find((k) => !MESSAGE_FIELDS.has(k));
  if (unknown) return `Invalid JSON payload received. Unknown name "${unknown}" at 'message': Cannot find field.`;
  if (m.text !== undefined && typeof m.text !== 'string') return `Invalid value at 'message.text' (TYPE_STRING), ${JSON.stringify(m.text)}`;
  if (!m.text && !(Array.isArray(m.cardsV2) && m.cardsV2.length > 0)) return 'Message cannot be empty. Discarded message must have text or cards.';
  if (bytes > MAX_MESSAGE_BYTES) return `Message too large: ${bytes} bytes, the limit is ${MAX_MESSAGE_BYTES}.`;
  for (const [i, entry] of ((m.cardsV2 ?? []) as Array<{ cardId?: unknown; card?: { header?: { title?: unknown }; sections?: unknown } }>).entries()) {
    const at = `message.cards_v2[${i}]`;
    if (typeof entry.cardId !== 'string') return `Invalid value at '${at}.card_id': every card needs a cardId.`;
    if (entry.card?.header && typeof entry.card.header.title !== 'string') return `Invalid value at '${at}.card.header.title': the header needs a title.`;
    if (!Array.isArray(entry.card?.sections)) return `Invalid JSON payload received. '${at}.card.sections': expected a list.`;
    for (const [j, section] of (entry.card.sections as Array<{ widgets?: unknown }>).entries()) {
      for (const [k, widget] of ((section.widgets ?? []) as Array<Record<string, unknown>>).entries()) {
        const kinds = Object.keys(widget).filter((w) => WIDGETS.has(w));
        const where = `${at}.card.sections[${j}].widgets[${k}]`;
        const other = Object.keys(widget).find((w) => !WIDGETS.has(w) && w !== 'horizontalAlignment');
        if (other) return `Invalid JSON payload received. Unknown name "${other}" at '${where}': Cannot find field.`;
        if (kinds.length !== 1) return `Invalid value at '${where}': a widget is exactly one of ${[...WIDGETS].join(', ')}.`;
        for (const button of ((widget.buttonList as { buttons?: unknown[] } | undefined)?.buttons ?? []) as Array<{ onClick?: { openLink?: { url?: unknown } } }>) {
          const link = button.onClick?.openLink?.url;
          if (typeof link !== 'string' || !/^https?:\/\//.test(link)) return `Invalid value at '${where}.button_list.buttons.on_click.open_link.url': a link needs an absolute URL.`;
        }
      }
    }
  }
  return undefined;
}
