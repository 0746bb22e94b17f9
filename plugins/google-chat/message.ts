import type { BuildContext } from '../../shared/context/index.ts';
import { PluginError } from '../../shared/errors.ts';
import type { Outcome } from '../../shared/notify/outcome.ts';
import { type Summary, markupLine, summaryOf } from '../../shared/notify/summary.ts';
import type { Values } from '../../shared/settings/index.ts';
import type { settings } from './settings.ts';

export const TEMPLATE_SETTINGS = ['template', 'template_success', 'template_failure'] as const;

/** Google Chat refuses a message over 32,000 bytes, text and cards together. */
export const MAX_MESSAGE_BYTES = 32_000;

type ChatSettings = Values<typeof settings>;

export interface ChatMessage {
  readonly text: string;
  readonly cardsV2?: readonly Record<string, unknown>[];
  readonly thread?: { readonly threadKey: string };
}

export interface ChatRequest {
  /** Secret: the key and token are in its query. */
  readonly url: string;
  readonly message: ChatMessage;
}

/** Google's own colours for the status word in the card (card text takes `<font color>`). */
const COLORS: Record<Outcome, string> = { success: '#1e8e3e', failure: '#d93025', unknown: '#f9ab00' };

/** `text`: what a template rendered, with the setting it came from; the default line otherwise. */
export function planMessage(s: ChatSettings, build: BuildContext, text?: { setting: string; text: string }): ChatRequest {
  const f = summaryOf(build);
  const message: ChatMessage = {
    text: text?.text ?? markupLine(f),
    ...(s.card ? { cardsV2: [{ cardId: 'drone-build', card: card(f, build.commit.author.avatar) }] } : {}),
    ...(s.thread_key ? { thread: { threadKey: s.thread_key } } : {}),
  };
  const bytes = Buffer.byteLength(JSON.stringify(message));
  if (bytes > MAX_MESSAGE_BYTES) {
    throw new PluginError(`the message is ${bytes} bytes, more than the ${MAX_MESSAGE_BYTES} Google Chat takes: shorten what settings.${text?.setting ?? 'template'} gives`);
  }
  return { url: webhookUrl(s), message };
}

function card(f: Summary, avatar: string): Record<string, unknown> {
  const fact = (topLabel: string, value: string) => (value ? [{ decoratedText: { topLabel, text: html(value) } }] : []);
  return {
    header: { title: `${f.repo} #${f.number}`, subtitle: f.title, ...(avatar ? { imageUrl: avatar, imageType: 'CIRCLE' } : {}) },
    sections: [
      {
        widgets: [
          { decoratedText: { topLabel: 'Status', text: `<font color="${COLORS[f.outcome]}"><b>${html(f.status)}</b></font>` } },
          ...fact(f.tag ? 'Tag' : 'Branch', f.tag || f.branch),
          ...fact('Commit', f.sha),
          ...fact('Author', f.author),
          ...fact('Failed steps', f.failedSteps.join(', ')),
          ...(f.link ? [{ buttonList: { buttons: [{ text: 'Open build', onClick: { openLink: { url: f.link } } }] } }] : []),
        ],
      },
    ],
  };
}

/** Widget text is a subset of HTML (header text is plain): a value's `<y>` would vanish unescaped. */
function html(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * The webhook as Google gives it, or drone-google-chat's space URL with `key` and `token`. Without
 * `messageReplyOption` Chat ignores the thread key and starts a new thread every time.
 */
function webhookUrl(s: ChatSettings): string {
  const url = new URL(s.webhook!);
  if (!url.pathname.endsWith('/messages')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/messages`;
  if (s.key) url.searchParams.set('key', s.key);
  if (s.token) url.searchParams.set('token', s.token);
  if (!url.searchParams.get('key') || !url.searchParams.get('token')) {
    throw new PluginError('settings.webhook has no key= and token=: give the whole URL Google Chat shows for the webhook, or settings.key and settings.token');
  }
  if (s.thread_key) url.searchParams.set('messageReplyOption', s.message_reply_option);
  return url.toString();
}
