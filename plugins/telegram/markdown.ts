/**
 * Telegram's MarkdownV2 rejects the whole message (HTTP 400 "can't parse entities") when any of
 * _*[]()~`>#+-=|{}.! stands unescaped outside an entity, so a commit message with a `.` or `-`
 * would stop the notification. drone-telegram's templates are written in Telegram's legacy
 * Markdown, where those characters are plain text: this turns such a message into MarkdownV2.
 *
 * The legacy entities a template may use stay entities: *bold*, `code`, ```pre```, [text](url).
 * Every other character is text, escaped for the place it stands: outside entities all of the
 * reserved characters, inside code and pre only ` and \, inside a link's URL only ) and \.
 * `_` is text, as in drone-telegram, which escaped it in templates and values alike.
 * A `\` before a character makes that character text: templates use it in legacy Markdown, and
 * values are handed in escaped that way (`escapeValue`), so nothing in a value is ever markup.
 */
const RESERVED = new Set('_*[]()~`>#+-=|{}.!\\');

/** A value (a commit message, a branch) as text that the conversion never reads as markup. */
export function escapeValue(text: string): string {
  let out = '';
  for (const c of text) out += RESERVED.has(c) ? `\\${c}` : c;
  return out;
}

export interface MarkdownV2 {
  readonly text: string;
  /** Characters Telegram shows (what its 4096 limit counts): the text without markup. */
  readonly visible: number;
}

interface Char {
  readonly c: string;
  /** Written with a `\` before it: always text. */
  readonly escaped: boolean;
}

/** An entity of the template: its delimiters and the characters between them. */
interface Span {
  readonly mark: string;
  readonly from: number;
  readonly to: number;
  readonly escapeChar: (c: string) => string;
}

export function toMarkdownV2(source: string): MarkdownV2 {
  const chars = readEscapes(source);
  let text = '';
  let visible = 0;
  const emit = (from: number, to: number, escapeChar: (c: string) => string) => {
    for (const ch of chars.slice(from, to)) text += escapeChar(ch.c);
    visible += to - from;
  };
  const markup = (i: number, c: string) => chars[i]?.c === c && !chars[i]!.escaped;
  const find = (from: number, c: string) => {
    for (let j = from; j < chars.length; j++) if (markup(j, c)) return j;
    return -1;
  };
  const isFence = (i: number) => markup(i, '`') && markup(i + 1, '`') && markup(i + 2, '`');
  const spanAt = (i: number): Span | undefined => {
    if (isFence(i)) {
      let end = i + 3;
      while (end < chars.length && !isFence(end)) end++;
      if (end < chars.length) return { mark: '```', from: i + 3, to: end, escapeChar: escapeCode };
    }
    for (const [mark, escapeChar] of [['`', escapeCode], ['*', escapeText]] as const) {
      const end = markup(i, mark) ? find(i + 1, mark) : -1;
      if (end > i + 1) return { mark, from: i + 1, to: end, escapeChar };
    }
    return undefined;
  };
  let i = 0;
  while (i < chars.length) {
    const span = spanAt(i);
    if (span) {
      text += span.mark;
      emit(span.from, span.to, span.escapeChar);
      text += span.mark;
      i = span.to + span.mark.length;
      continue;
    }
    const close = markup(i, '[') ? find(i + 1, ']') : -1;
    const end = close > 0 && markup(close + 1, '(') ? find(close + 2, ')') : -1;
    if (end > 0) {
      text += '[';
      emit(i + 1, close, escapeText);
      text += '](';
      for (const ch of chars.slice(close + 2, end)) text += escapeUrl(ch.c);
      text += ')';
      i = end + 1;
      continue;
    }
    emit(i, i + 1, escapeText);
    i++;
  }
  return { text, visible };
}

function readEscapes(source: string): Char[] {
  const out: Char[] = [];
  const list = [...source];
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!;
    const next = list[i + 1];
    if (c === '\\' && next !== undefined && RESERVED.has(next)) {
      out.push({ c: next, escaped: true });
      i++;
    } else out.push({ c, escaped: false });
  }
  return out;
}

function escapeText(c: string): string {
  return RESERVED.has(c) ? `\\${c}` : c;
}

function escapeCode(c: string): string {
  return c === '`' || c === '\\' ? `\\${c}` : c;
}

function escapeUrl(c: string): string {
  return c === ')' || c === '\\' ? `\\${c}` : c;
}
