import { type BuildContext, isFailedStatus } from '../../shared/context/index.ts';
import { PluginError } from '../../shared/errors.ts';
import type { TemplateText } from '../../shared/notify/templates.ts';
import type { Values } from '../../shared/settings/index.ts';
import { escapeValue, toMarkdownV2 } from './markdown.ts';
import type { settings } from './settings.ts';

/** Telegram's limit on a message's text once its entities are parsed. */
const MAX_TEXT = 4096;

export type Format = 'markdown' | 'html';

export interface TelegramMessage {
  readonly chat_id: number | string;
  readonly text: string;
  readonly parse_mode: 'MarkdownV2' | 'HTML';
  readonly disable_notification?: boolean;
  readonly message_thread_id?: number;
  readonly link_preview_options?: { readonly is_disabled: boolean };
}

const ICONS: Record<string, string> = { success: '\u2705', failure: '\u274c', error: '\u274c', killed: '\u2755', cancelled: '\u2755' };

/** One sendMessage per chat, decided without I/O; the rendered template's values are already escaped for its format. */
export function planMessages(s: Values<typeof settings>, build: BuildContext, rendered: TemplateText | undefined): TelegramMessage[] {
  // drone-telegram's default message is Markdown whatever `format` says.
  const format: Format = rendered ? formatOf(s.format) : 'markdown';
  const { text, visible } = format === 'markdown' ? toMarkdownV2(rendered?.text ?? defaultMessage(build)) : { text: rendered!.text, visible: [...rendered!.text].length };
  if (visible === 0) throw new PluginError(`${rendered?.name ?? 'the default message'} renders an empty message`, { hint: 'Telegram refuses empty messages: check the template\'s conditions.' });
  if (visible > MAX_TEXT) {
    throw new PluginError(`${rendered?.name ?? 'the default message'} renders ${visible} characters; Telegram takes at most ${MAX_TEXT} in a message`, {
      hint: 'Shorten the template, e.g. {{truncate build.message 200}}.',
    });
  }
  return chatsFor(s.to, build.commit.author.email, s.only_match_email).map((chat) => ({
    chat_id: /^-?\d+$/.test(chat) ? Number(chat) : chat,
    text,
    parse_mode: format === 'markdown' ? 'MarkdownV2' : 'HTML',
    disable_notification: s.disable_notification || undefined,
    message_thread_id: s.message_thread_id,
    link_preview_options: s.disable_web_page_preview ? { is_disabled: true } : undefined,
  }));
}

export function formatOf(value: string): Format {
  return value.toLowerCase() === 'html' ? 'html' : 'markdown';
}

/**
 * drone-telegram's `to`: `id` always; `id:email` only when the email is the commit author's, and
 * with `only_match_email` the matching ones alone (when any match).
 */
export function chatsFor(to: readonly string[], authorEmail: string, onlyMatching: boolean): string[] {
  const plain: string[] = [];
  const matching: string[] = [];
  for (const entry of to) {
    const [id, email] = entry.split(':').map((p) => p.trim());
    if (email === undefined) plain.push(id!);
    else if (email === authorEmail) matching.push(id!);
  }
  return onlyMatching && matching.length > 0 ? matching : [...plain, ...matching];
}

/** Room for the rest of the default message within Telegram's 4096 characters. */
const MAX_DEFAULT_COMMIT_MESSAGE = 3000;

/** drone-telegram's default message, to the character, in its legacy Markdown; a huge commit message cut to fit. */
function defaultMessage(b: BuildContext): string {
  const icon = ICONS[b.build.status] ?? (isFailedStatus(b.build.status) ? ICONS.failure : '');
  const v = escapeValue;
  return `${icon} Build #${b.build.number} of \`${v(b.repo.slug || `${b.repo.owner}/${b.repo.name}`)}\` ${v(b.build.status)}.\n\n\ud83d\udcdd Commit by ${v(b.commit.author.username)} on \`${v(b.commit.branch)}\`:\n\`\`\` ${v(cut(b.commit.message))} \`\`\`\n\n\ud83c\udf10 ${v(b.build.link)}`;
}

function cut(text: string): string {
  const chars = [...text];
  return chars.length <= MAX_DEFAULT_COMMIT_MESSAGE ? text : `${chars.slice(0, MAX_DEFAULT_COMMIT_MESSAGE - 1).join('')}\u2026`;
}
