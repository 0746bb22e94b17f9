/**
 * The template helpers of drone-template-lib (Drone's own plus the sprig ones people use), for
 * handlebars.js. Semantics follow drone-template-lib HEAD and sprig's argument order; where the Go
 * version panics or rejects an int, these accept the input instead (numbers as text, `""`,
 * negative lengths) because a notification should not crash a pipeline step.
 */
import { createHash } from 'node:crypto';
import type Handlebars from 'handlebars';
import { isFailedStatus } from '../context/index.ts';
import { deriveSecret } from '../secrets.ts';
import { formatGoDuration, formatGoLayout, isTimeZone } from './go-time.ts';
import { OutputLimitError, chargeHelper, ensureRoom } from './output-budget.ts';

type HandlebarsEnv = typeof Handlebars;

interface HelperOptions {
  fn?: (context: unknown) => string;
  inverse?: (context: unknown) => string;
  loc?: { start: { line: number; column: number } };
}

type Helper = (this: unknown, args: unknown[], options: HelperOptions) => unknown;

interface HelperEnvironment {
  /** The clock for `since`, `ago` and `now`. */
  now?: () => Date;
  /** What `{{env "NAME"}}` reads; process.env by default. */
  env?: (name: string) => string | undefined;
}

const RFC3339 = '2006-01-02T15:04:05Z07:00';

export function registerHelpers(hb: HandlebarsEnv, environment: HelperEnvironment = {}): void {
  const now = environment.now ?? (() => new Date());
  const readEnv = environment.env ?? ((name: string) => process.env[name]);
  const helpers: Record<string, Helper> = {
    // drone-template-lib
    success(args, options) {
      return statusBlock(this, truthy(args[0]) && str(args[0]) === 'success', options);
    },
    failure(args, options) {
      return statusBlock(this, truthy(args[0]) && isFailedStatus(str(args[0])), options);
    },
    truncate: ([s, n]) => truncate(str(s), toNumber(n)),
    urlencode(args, options) {
      return queryEscape(options.fn ? options.fn(this) : str(args[0]));
    },
    since: ([start]) => goDuration(Math.floor(now().getTime() / 1000) - toNumber(start)),
    // One argument is sprig's duration(seconds), which replaced Drone's in drone-template-lib HEAD.
    duration: (args) => goDuration(args.length < 2 ? toNumber(args[0]) : toNumber(args[1]) - toNumber(args[0])),
    datetime: ([ts, layout, zone]) =>
      formatGoLayout(unixDate(toNumber(ts)), layout === undefined ? RFC3339 : str(layout), str(zone)),
    uppercasefirst: ([s]) => {
      const [first = '', ...rest] = Array.from(str(s));
      return upperRune(first) + rest.join('');
    },
    uppercase: ([s]) => mapRunes(str(s), upperRune),
    lowercase: ([s]) => mapRunes(str(s), lowerRune),
    regexReplace: ([pattern, input, replacement]) => goReplaceAll(str(pattern), str(input), str(replacement)),
    // raymond's built-in: compares string forms and has no {{else}} branch.
    equal(args, options) {
      const same = str(args[0]) === str(args[1]);
      if (!options.fn) return same;
      return same ? options.fn(this) : '';
    },

    // sprig strings
    trim: ([s]) => str(s).trim(),
    trimPrefix: ([prefix, s]) => trimPrefix(str(s), str(prefix)),
    trimSuffix: ([suffix, s]) => {
      const text = str(s);
      const tail = str(suffix);
      return tail && text.endsWith(tail) ? text.slice(0, -tail.length) : text;
    },
    trimAll: ([cutset, s]) => trimCutset(str(s), str(cutset)),
    replace: ([from, to, s]) => str(s).replaceAll(str(from), str(to)),
    contains: ([sub, s]) => str(s).includes(str(sub)),
    hasPrefix: ([prefix, s]) => str(s).startsWith(str(prefix)),
    hasSuffix: ([suffix, s]) => str(s).endsWith(str(suffix)),
    upper: ([s]) => mapRunes(str(s), upperRune),
    lower: ([s]) => mapRunes(str(s), lowerRune),
    title: ([s]) => goTitle(str(s)),
    substr: ([start, end, s]) => substr(Array.from(str(s)), toInt(start), toInt(end)),
    trunc: ([n, s]) => {
      const chars = Array.from(str(s));
      const c = toInt(n);
      return (c < 0 ? chars.slice(Math.max(0, chars.length + c)) : chars.slice(0, c)).join('');
    },
    split: ([sep, s]) => Object.fromEntries(goSplit(str(s), str(sep)).map((part, i) => [`_${i}`, part])),
    splitList: ([sep, s]) => goSplit(str(s), str(sep)),
    join: ([sep, list]) => toList(list).map(str).join(str(sep)),
    regexReplaceAll: ([pattern, s, replacement]) => goReplaceAll(str(pattern), str(s), str(replacement)),
    // sprig ignores a bad pattern here (no match) but panics in regexFind.
    regexMatch: ([pattern, s]) => {
      try {
        return goRegExp(str(pattern)).test(str(s));
      } catch {
        return false;
      }
    },
    regexFind: ([pattern, s]) => goRegExp(str(pattern)).exec(str(s))?.[0] ?? '',
    quote: (args) => args.filter((a) => a != null).map((a) => goQuote(str(a))).join(' '),
    squote: (args) => args.filter((a) => a != null).map((a) => `'${str(a)}'`).join(' '),
    abbrev: ([width, s]) => {
      const chars = Array.from(str(s));
      const w = toInt(width);
      return w < 4 || chars.length <= w ? chars.join('') : chars.slice(0, w - 3).join('') + '...';
    },
    indent: ([n, s]) => indent(toInt(n), str(s)),
    nindent: ([n, s]) => '\n' + indent(toInt(n), str(s)),
    repeat: ([n, s]) => {
      const text = str(s);
      const count = Math.max(0, toInt(n));
      ensureRoom(text.length * count);
      return text.repeat(count);
    },
    wrap: ([n, s]) => wrap(str(s), toInt(n)),
    nospace: ([s]) => str(s).replace(/\s+/gu, ''),
    kebabcase: ([s]) => words(str(s)).join('-'),
    snakecase: ([s]) => words(str(s)).join('_'),
    camelcase: ([s]) => camelcase(str(s)),

    // sprig dates
    date: ([layout, t]) => formatGoLayout(toTime(t, now), str(layout), 'Local'),
    dateInZone: ([layout, t, zone]) => {
      // Unlike datetime, sprig falls back to UTC (Go's LoadLocation("") is UTC too).
      const z = str(zone);
      return formatGoLayout(toTime(t, now), str(layout), z !== '' && isTimeZone(z) ? z : 'UTC');
    },
    ago: ([t]) => goDuration(Math.floor((now().getTime() - toTime(t, now).getTime()) / 1000)),
    now: () => new GoTime(now().getTime()),

    // sprig encoding, defaults, misc
    toJson: ([v]) => goJson(v, undefined),
    toPrettyJson: ([v]) => goJson(v, 2),
    b64enc: ([s]) => Buffer.from(str(s), 'utf8').toString('base64'),
    b64dec: ([s]) => b64dec(str(s)),
    sha256sum: ([s]) => createHash('sha256').update(str(s)).digest('hex'),
    env: ([name]) => readEnv(str(name)) ?? '',
    ternary: ([whenTrue, whenFalse, cond]) => (truthy(cond) ? whenTrue : whenFalse),
    default: ([fallback, given]) => (isEmpty(given) ? fallback : given),
    coalesce: (args) => args.find((a) => !isEmpty(a)),

    // sprig numbers and lists
    atoi: ([s]) => (/^[+-]?\d+$/.test(str(s)) ? Number(str(s)) : 0),
    int: ([v]) => toInt(v),
    add: (args) => args.reduce((sum: number, a) => sum + toInt(a), 0),
    sub: ([a, b]) => toInt(a) - toInt(b),
    mul: (args) => args.reduce((product: number, a) => product * toInt(a), 1),
    div: ([a, b]) => Math.trunc(toInt(a) / nonZero(toInt(b))),
    mod: ([a, b]) => toInt(a) % nonZero(toInt(b)),
    list: (args) => args,
    first: ([list]) => (Array.isArray(list) ? list[0] : undefined),
    last: ([list]) => (Array.isArray(list) ? list[list.length - 1] : undefined),
  };

  for (const [name, helper] of Object.entries(helpers)) {
    hb.registerHelper(name, function (this: unknown, ...all: unknown[]) {
      const options = all.pop() as HelperOptions;
      try {
        const result = chargeHelper(() => helper.call(this, all, options));
        for (const arg of all) if (typeof arg === 'string') deriveSecret(arg, result);
        return result;
      } catch (err) {
        if (err instanceof OutputLimitError) throw err;
        // Errors from a block's body already name their own position.
        if (err instanceof hb.Exception) throw err;
        // A handlebars Exception carries the position, so renderTemplate can report line/column.
        const message = `helper "${name}": ${err instanceof Error ? err.message : String(err)}`;
        throw new hb.Exception(message, { loc: options.loc } as ConstructorParameters<HandlebarsEnv['Exception']>[1]);
      }
    });
  }
}

function statusBlock(self: unknown, matches: boolean, options: HelperOptions): unknown {
  if (!options.fn) return matches;
  return matches ? options.fn(self) : (options.inverse?.(self) ?? '');
}

function nonZero(n: number): number {
  if (n === 0) throw new Error('integer divide by zero');
  return n;
}

/** A time that prints like Go's time.Time.String(), for `{{now}}`. */
class GoTime extends Date {
  override toString(): string {
    return formatGoLayout(this, '2006-01-02 15:04:05.999999999 -0700 MST', 'Local');
  }
}

/** raymond's Str(): how Go prints a value into a template. */
function str(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(str).join('');
  return String(value);
}

/** raymond's IsTrue: empty strings, zero, empty lists and nil are false. */
function truthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  return Boolean(value);
}

/** Numbers, or numbers written as text, for timestamps and durations; "" and nil count as 0. */
function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.getTime() / 1000;
  const text = str(value).trim();
  if (text === '') return 0;
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text) ? Number(text) : Number.NaN;
}

/** sprig's toInt64 (spf13/cast): text is parsed with Go base prefixes, anything else is 0. */
function toInt(value: unknown): number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const text = value.trim();
    if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(text)) return Number.parseInt(text, 16);
    if (/^[+-]?0[bB][01]+$/.test(text)) return Number.parseInt(text.replace(/0[bB]/, ''), 2);
    if (/^[+-]?0[oO]?[0-7]+$/.test(text)) return Number.parseInt(text.replace(/0[oO]?/, ''), 8);
  }
  const n = Math.trunc(toNumber(value));
  return Number.isFinite(n) ? n : 0;
}

function goDuration(seconds: number): string {
  return Number.isFinite(seconds) ? formatGoDuration(seconds) : '';
}

function unixDate(seconds: number): Date {
  return new Date(Number.isFinite(seconds) ? Math.round(seconds * 1000) : Number.NaN);
}

/** sprig's dateInZone input: a Date, unix seconds (also as text), else "now". */
function toTime(value: unknown, now: () => Date): Date {
  if (value instanceof Date) return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string') {
    const seconds = toNumber(value);
    if (Number.isFinite(seconds) && str(value).trim() !== '') return unixDate(seconds);
  }
  return now();
}

/** drone-template-lib HEAD: keep the first n runes; negative n drops the first |n| runes. */
function truncate(s: string, n: number): string {
  const chars = Array.from(s);
  if (!Number.isFinite(n) || chars.length <= Math.abs(n)) return s;
  return (n < 0 ? chars.slice(-n) : chars.slice(0, n)).join('');
}

/** Go unicode.ToUpper is a one-rune mapping: "ß" stays "ß" where JS would give "SS". */
function upperRune(c: string): string {
  const up = c.toUpperCase();
  return Array.from(up).length === 1 ? up : c;
}

function lowerRune(c: string): string {
  const low = c.toLowerCase();
  return Array.from(low).length === 1 ? low : c;
}

function mapRunes(s: string, f: (c: string) => string): string {
  return Array.from(s, f).join('');
}

/** Go strings.Title: upper-case every letter that follows a separator. */
function goTitle(s: string): string {
  let prev = ' ';
  let out = '';
  for (const c of s) {
    out += isSeparator(prev) ? upperRune(c) : c;
    prev = c;
  }
  return out;
}

function isSeparator(c: string): boolean {
  if (/^[A-Za-z0-9_]$/.test(c)) return false;
  if (c.charCodeAt(0) <= 0x7f) return true;
  if (/^[\p{L}\p{Nd}]$/u.test(c)) return false;
  return /^\s$/u.test(c);
}

/** Go url.QueryEscape: only A-Z a-z 0-9 - _ . ~ stay, a space becomes "+". */
function queryEscape(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function trimPrefix(s: string, prefix: string): string {
  return prefix && s.startsWith(prefix) ? s.slice(prefix.length) : s;
}

/** Go strings.Trim: drop leading and trailing runes that occur in cutset. */
function trimCutset(s: string, cutset: string): string {
  const cut = new Set(cutset);
  const chars = Array.from(s);
  let start = 0;
  let end = chars.length;
  while (start < end && cut.has(chars[start]!)) start++;
  while (end > start && cut.has(chars[end - 1]!)) end--;
  return chars.slice(start, end).join('');
}

/** sprig substr, without the panics: a negative start means 0, an end past the text means its end. */
function substr(chars: string[], start: number, end: number): string {
  const from = Math.min(Math.max(0, start), chars.length);
  const to = end < 0 || end > chars.length ? chars.length : end;
  return chars.slice(from, Math.max(from, to)).join('');
}

/** Go strings.Split: an empty separator splits into runes. */
function goSplit(s: string, sep: string): string[] {
  return sep === '' ? Array.from(s) : s.split(sep);
}

function toList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  return value == null ? [] : [value];
}

function indent(n: number, s: string): string {
  ensureRoom(Math.max(0, n) * s.split('\n').length);
  const pad = ' '.repeat(Math.max(0, n));
  return pad + s.replaceAll('\n', '\n' + pad);
}

/** goutils.Wrap: break at the last space within n runes; longer words are left whole. */
function wrap(s: string, n: number): string {
  const width = Math.max(1, n);
  const chars = Array.from(s);
  let out = '';
  let offset = 0;
  while (chars.length - offset > width) {
    if (chars[offset] === ' ') {
      offset++;
      continue;
    }
    let space = chars.slice(offset, offset + width + 1).lastIndexOf(' ');
    if (space < 0) {
      space = chars.indexOf(' ', offset + width) - offset;
      if (space < 0) break;
    }
    out += chars.slice(offset, offset + space).join('') + '\n';
    offset += space + 1;
  }
  return out + chars.slice(offset).join('');
}

/**
 * Lower-cased words for kebab/snake case, close to xstrings: "HTTPServer" gives http, server;
 * digits stay with the word before unless letters follow them ("Bld4Floor3rd": bld4, floor, 3rd).
 */
function words(s: string): string[] {
  const found = s.match(/\p{Lu}+(?=\p{Lu}\p{Ll})|\p{Lu}?\p{Ll}+(?:\d+(?![\p{Ll}\d]))?|\p{Lu}+(?:\d+(?![\p{Ll}\d]))?|\d+\p{Ll}*/gu) ?? [];
  return found.map((w) => w.toLowerCase());
}

/**
 * xstrings.ToCamelCase as sprig uses it: "http_server" gives "HttpServer". Leading underscores
 * stay, a run of n underscores inside keeps n-1, a trailing run keeps all of them.
 */
function camelcase(s: string): string {
  const chars = Array.from(s);
  let i = 0;
  while (chars[i] === '_') i++;
  let out = chars.slice(0, i).join('');
  let prev = '_';
  for (; i < chars.length; i++) {
    const c = chars[i]!;
    if (c !== '_') out += prev === '_' ? upperRune(c) : c;
    else if (prev === '_' || i === chars.length - 1) out += '_';
    prev = c;
  }
  return out;
}

/** Go's json.Marshal escapes <, > and & for HTML safety; sprig's toJson keeps that. */
function goJson(value: unknown, space: number | undefined): string {
  const json = JSON.stringify(value ?? null, null, space) ?? 'null';
  return json.replace(/[<>&\u2028\u2029]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

/** Go strconv.Quote, close enough: JSON escapes, but \x for control bytes as Go writes them. */
function goQuote(s: string): string {
  return JSON.stringify(s)
    .replace(/\\u00([01][0-9a-f])/g, (_, hex: string) => (hex === '07' ? '\\a' : hex === '0b' ? '\\v' : '\\x' + hex))
    .replaceAll('\x7f', '\\x7f');
}

/** sprig b64dec returns Go's error text instead of failing. */
function b64dec(s: string): string {
  const bad = s.search(/[^A-Za-z0-9+/=]/);
  if (bad >= 0) return `illegal base64 data at input byte ${bad}`;
  if (s.length % 4 !== 0 || /=[^=]|={3,}/.test(s)) {
    return `illegal base64 data at input byte ${s.length % 4 !== 0 ? s.length - (s.length % 4) : s.indexOf('=')}`;
  }
  return Buffer.from(s, 'base64').toString('utf8');
}

/** sprig's empty(): nil, false, 0, "" and empty collections. */
function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return true;
  if (Array.isArray(value)) return value.length === 0;
  if (value instanceof Map || value instanceof Set) return value.size === 0;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.keys(value).length === 0;
  }
  return false;
}

const regexCache = new Map<string, RegExp>();

/**
 * Go RE2 syntax in a JS RegExp: `(?P<name>` groups and leading `(?flags)` are translated; the rest
 * of RE2 is a subset of what JS accepts. Throws on a bad pattern, as Go's MustCompile panics.
 * The RegExp is shared and global ("g"), so it comes back with lastIndex reset.
 */
function goRegExp(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (re) {
    re.lastIndex = 0;
    return re;
  }
  let flags = 'g';
  let body = pattern.replaceAll('(?P<', '(?<');
  const leading = /^\(\?([imsU]+)\)/.exec(body);
  const inline = leading?.[1];
  if (leading && inline) {
    if (inline.includes('U')) throw new Error(`unsupported flag U in regular expression ${pattern}`);
    flags += inline;
    body = body.slice(leading[0].length);
  }
  try {
    re = new RegExp(body, flags + 'u');
  } catch {
    try {
      re = new RegExp(body, flags);
    } catch (err) {
      throw new Error(`invalid regular expression ${JSON.stringify(pattern)}: ${(err as Error).message}`);
    }
  }
  regexCache.set(pattern, re);
  return re;
}

/**
 * Go Regexp.ReplaceAllString: an empty match right after a previous match is skipped, and the
 * replacement expands `$1`, `${1}`, `$name` with Go's rules (`$1x` is the group named "1x").
 */
function goReplaceAll(pattern: string, src: string, replacement: string): string {
  const re = goRegExp(pattern);
  let out = '';
  let lastEnd = 0;
  let search = 0;
  while (search <= src.length) {
    re.lastIndex = search;
    const m = re.exec(src);
    if (!m) break;
    const start = m.index;
    const end = start + m[0].length;
    out += src.slice(lastEnd, start);
    if (end > lastEnd || start === 0) out += expand(replacement, m);
    lastEnd = end;
    const width = (src.codePointAt(search) ?? 0) > 0xffff ? 2 : 1;
    search = Math.max(search + width, end);
  }
  return out + src.slice(lastEnd);
}

function expand(template: string, m: RegExpExecArray): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) break;
    out += template.slice(i, dollar);
    if (template[dollar + 1] === '$') {
      out += '$';
      i = dollar + 2;
      continue;
    }
    const ref = /^\$(?:\{([\p{L}\p{N}_]+)\}|([\p{L}\p{N}_]+))/u.exec(template.slice(dollar));
    if (!ref) {
      out += '$';
      i = dollar + 1;
      continue;
    }
    // One of the two alternatives matched.
    const name = (ref[1] ?? ref[2])!;
    const index = /^(0|[1-9]\d{0,7})$/.test(name) ? Number(name) : -1;
    out += (index >= 0 ? m[index] : m.groups?.[name]) ?? '';
    i = dollar + ref[0].length;
  }
  return out + template.slice(i);
}
