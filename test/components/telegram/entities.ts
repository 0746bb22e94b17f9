/**
 * What the Bot API checks of `text` before it sends a message, written from Telegram's
 * documentation ("Formatting options") independently of the plugin's own conversion, so a test
 * fails where Telegram would answer 400 "can't parse entities". Offsets are UTF-8 byte offsets, as
 * Telegram reports them.
 */
const NAMES: Record<string, string> = { '*': 'Bold', _: 'Italic', __: 'Underline', '~': 'Strikethrough', '||': 'Spoiler', '[': 'TextUrl', '`': 'Code', '```': 'Pre' };

export function markdownV2Problem(text: string): string | undefined {
  const open: Array<{ mark: string; at: number }> = [];
  const chars = [...text];
  let offset = 0;
  const top = () => open.at(-1)?.mark;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    const here = offset;
    offset += Buffer.byteLength(c);
    const inCode = top() === '`' || top() === '```';
    if (c === '\\') {
      const next = chars[i + 1];
      if (next === undefined || next.codePointAt(0)! > 126) return `Character '\\' is reserved and must be escaped with the preceding '\\'`;
      offset += Buffer.byteLength(next);
      i++;
      continue;
    }
    if (inCode) {
      if (c !== '`') continue;
      if (top() === '```') {
        if (chars[i + 1] === '`' && chars[i + 2] === '`') {
          open.pop();
          offset += 2;
          i += 2;
        } else return `Character '\`' is reserved and must be escaped with the preceding '\\'`;
      } else open.pop();
      continue;
    }
    if (top() === '(') {
      if (c === ')') open.pop();
      continue;
    }
    const lineStart = i === 0 || chars[i - 1] === '\n';
    if (c === '>' && lineStart) continue;
    if ('#+-=.!{}()>'.includes(c)) return `Character '${c}' is reserved and must be escaped with the preceding '\\'`;
    if (c === '|') {
      if (chars[i + 1] !== '|') return `Character '|' is reserved and must be escaped with the preceding '\\'`;
      offset += 1;
      i++;
      toggle('||', here);
      continue;
    }
    if (c === ']') {
      if (top() !== '[') return `Character ']' is reserved and must be escaped with the preceding '\\'`;
      if (chars[i + 1] !== '(') return `Can't find end of TextUrl entity at byte offset ${open.at(-1)!.at}`;
      open.pop();
      open.push({ mark: '(', at: here });
      offset += 1;
      i++;
      continue;
    }
    if (c === '`') {
      if (chars[i + 1] === '`' && chars[i + 2] === '`') {
        open.push({ mark: '```', at: here });
        offset += 2;
        i += 2;
      } else open.push({ mark: '`', at: here });
      continue;
    }
    if (c === '_' && chars[i + 1] === '_') {
      offset += 1;
      i++;
      toggle('__', here);
      continue;
    }
    if (c === '*' || c === '_' || c === '~' || c === '[') {
      if (c === '[') open.push({ mark: '[', at: here });
      else toggle(c, here);
    }
  }
  const unclosed = open.at(-1);
  if (unclosed) return `Can't find end of ${NAMES[unclosed.mark === '(' ? '[' : unclosed.mark]} entity at byte offset ${unclosed.at}`;
  return undefined;

  function toggle(mark: string, here: number) {
    if (top() === mark) open.pop();
    else open.push({ mark, at: here });
  }
}

const TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler', 'a', 'code', 'pre', 'blockquote', 'tg-emoji']);

export function htmlProblem(text: string): string | undefined {
  const open: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w-]*)[^>]*>|<|&(#\d+|#x[0-9a-f]+|\w+);|&/gi;
  for (const m of text.matchAll(tag)) {
    const offset = Buffer.byteLength(text.slice(0, m.index));
    if (m[0] === '<') return `Unsupported start tag "" at byte offset ${offset}`;
    if (m[0] === '&') continue;
    if (m[3] !== undefined) {
      if (!/^(lt|gt|amp|quot|#\d+|#x[0-9a-f]+)$/i.test(m[3])) return `Unsupported HTML entity "&${m[3]};" at byte offset ${offset}`;
      continue;
    }
    const name = m[2]!.toLowerCase();
    if (!TAGS.has(name)) return `Unsupported start tag "${name}" at byte offset ${offset}`;
    if (m[1]) {
      if (open.pop() !== name) return `Unmatched end tag at byte offset ${offset}, expected "</${open.at(-1) ?? ''}>", found "</${name}>"`;
    } else open.push(name);
  }
  return open.length ? `Can't find end tag corresponding to start tag "${open.at(-1)}"` : undefined;
}

/** The length Telegram's 4096 limit counts: the text once its markup is parsed away. */
export function visibleLength(text: string, mode: string): number {
  let plain = text;
  if (mode === 'markdownv2') plain = text.replace(/\]\((?:\\.|[^)\\])*\)/g, '').replace(/\\(.)|[*_~|[\]`]/g, (_m, escaped: string | undefined) => escaped ?? '');
  if (mode === 'html') plain = text.replace(/<[^>]*>/g, '').replace(/&(#\d+|#x[0-9a-f]+|\w+);/gi, '.');
  return [...plain].length;
}
