/**
 * Drone's `${VAR}` substitution (drone/envsubst), applied to settings before plugins see them.
 * Only the braced forms are expanded: a bare `$VAR` is left for the shell of the step.
 * Differences from drone/envsubst, on purpose: we can tell unset from empty, so `${V-x}` and
 * `${V=x}` only apply to unset variables (bash), and strict mode can report unset ones.
 */
import { deriveSecret } from '../secrets.ts';
import { OutputLimitError, charge, withOutputBudget } from './output-budget.ts';
import { TemplateError } from './template-error.ts';

type Part = string | Expr;

interface Expr {
  name: string;
  op: string;
  args: Part[][];
  offset: number;
}

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const DEFAULT_OPS = new Set(['-', '=', ':-', ':=']);
// Longest first so that "##" wins over "#".
const OPERATORS = ['^^', '^', ',,', ',', ':-', ':=', ':', '-', '=', '##', '#', '%%', '%', '//', '/#', '/%', '/'];

export function substitute(
  text: string,
  lookup: (name: string) => string | undefined,
  opts: { name: string; strict?: boolean },
): string {
  if (!text.includes('$')) return text;
  const fail = (offset: number, detail: string): never => {
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    throw new TemplateError(opts.name, detail, { line, column: offset - before.lastIndexOf('\n') });
  };
  const { parts } = parseParts(text, 0, '', fail);

  const evalParts = (list: Part[]): string => list.map((p) => (typeof p === 'string' ? p : evalExpr(p))).join('');
  const evalExpr = (e: Expr): string => {
    try {
      return charge(() => evalValue(e));
    } catch (err) {
      if (err instanceof OutputLimitError) fail(e.offset, `stopped at \${${e.name}}: ${err.message}`);
      throw err;
    }
  };
  const evalValue = (e: Expr): string => {
    const value = lookup(e.name);
    if (DEFAULT_OPS.has(e.op)) {
      const useDefault = value === undefined || (e.op.startsWith(':') && value === '');
      return useDefault ? evalParts(e.args[0] ?? []) : (value ?? '');
    }
    if (value === undefined && opts.strict) fail(e.offset, `variable ${e.name} is not set`);
    const result = apply(e.op, value ?? '', e.args.map(evalParts));
    if (value !== undefined && e.op !== 'length') deriveSecret(value, result);
    return result;
  };
  return withOutputBudget(() => evalParts(parts));
}

/** Reads literal text and `${…}` expressions until one of `stops` (outside any expression). */
function parseParts(
  src: string,
  start: number,
  stops: string,
  fail: (offset: number, detail: string) => never,
): { parts: Part[]; end: number } {
  const parts: Part[] = [];
  let literal = '';
  let i = start;
  while (i < src.length) {
    if (src.startsWith('$${', i)) {
      literal += '${';
      i += 3;
    } else if (src.startsWith('${', i)) {
      if (literal) parts.push(literal);
      literal = '';
      const { expr, end } = parseExpr(src, i, fail);
      parts.push(expr);
      i = end;
    } else if (stops.includes(src[i]!)) {
      break;
    } else {
      literal += src[i];
      i++;
    }
  }
  if (literal) parts.push(literal);
  return { parts, end: i };
}

function parseExpr(
  src: string,
  offset: number,
  fail: (offset: number, detail: string) => never,
): { expr: Expr; end: number } {
  let i = offset + 2;
  const lengthOf = src[i] === '#';
  if (lengthOf) i++;
  NAME.lastIndex = i;
  const name = NAME.exec(src)?.[0];
  if (name === undefined) return fail(offset, 'bad substitution: expected a variable name after "${"');
  i += name.length;
  const closing = (at: number, args: Part[][], op: string) => {
    if (src[at] !== '}') fail(offset, `bad substitution: missing "}" for \${${name}`);
    return { expr: { name, op, args, offset }, end: at + 1 };
  };
  if (lengthOf) return closing(i, [], 'length');
  if (src[i] === '}') return closing(i, [], '');
  const op = OPERATORS.find((o) => src.startsWith(o, i));
  if (op === undefined) return fail(offset, `bad substitution: unexpected ${JSON.stringify(src[i] ?? 'end of text')} after \${${name}`);
  i += op.length;
  if (op === '^' || op === '^^' || op === ',' || op === ',,') return closing(i, [], op);
  // Substring offsets and the replace pattern end at a separator; every other argument at "}".
  const separator = op === ':' ? ':' : op.startsWith('/') ? '/' : '';
  const first = parseParts(src, i, separator + '}', fail);
  const args = [first.parts];
  i = first.end;
  if (separator && src[i] === separator) {
    const second = parseParts(src, i + 1, '}', fail);
    args.push(second.parts);
    i = second.end;
  }
  return closing(i, args, op);
}

function apply(op: string, value: string, args: readonly string[]): string {
  const chars = Array.from(value);
  // Every operator that takes arguments has its first (parseExpr); the second is optional.
  const [first = '', second] = args;
  switch (op) {
    case '':
      return value;
    case 'length':
      return String(chars.length);
    case '^':
      return (chars[0] ?? '').toUpperCase() + chars.slice(1).join('');
    case '^^':
      return value.toUpperCase();
    case ',':
      return (chars[0] ?? '').toLowerCase() + chars.slice(1).join('');
    case ',,':
      return value.toLowerCase();
    case ':':
      return substring(chars, first, second);
    case '#':
      return trimPrefix(value, first, 'shortest');
    case '##':
      return trimPrefix(value, first, 'longest');
    case '%':
      return trimSuffix(value, first, 'shortest');
    case '%%':
      return trimSuffix(value, first, 'longest');
    case '/':
      return first === '' ? value : value.replace(first, second ?? '');
    case '//':
      return first === '' ? value : value.replaceAll(first, second ?? '');
    case '/#':
      return value.startsWith(first) ? (second ?? '') + value.slice(first.length) : value;
    default: // '/%'
      return value.endsWith(first) ? value.slice(0, value.length - first.length) + (second ?? '') : value;
  }
}

/** `${V:pos}` / `${V:pos:len}`: negative values count from the end, as in bash; junk keeps V. */
function substring(chars: string[], posText: string, lenText: string | undefined): string {
  const num = (s: string) => (/^\s*-?\d+\s*$/.test(s) ? Number(s) : undefined);
  const pos = num(posText);
  if (pos === undefined) return chars.join('');
  const from = pos < 0 ? Math.max(0, chars.length + pos) : pos;
  if (lenText === undefined) return chars.slice(from).join('');
  const len = num(lenText);
  if (len === undefined) return chars.join('');
  const to = len < 0 ? chars.length + len : from + len;
  return chars.slice(from, Math.max(from, to)).join('');
}

/**
 * drone/envsubst matches prefixes and suffixes with Go's path.Match, so `*` and `?` do not match
 * "/" (`##` with the pattern "*" + "/" on "refs/heads/x" gives "heads/x", not bash's "x"). Like it, the empty prefix
 * never matches and a bad pattern leaves the value alone.
 */
function trimPrefix(value: string, pattern: string, mode: 'shortest' | 'longest'): string {
  const re = globToRegExp(pattern);
  if (!re) return value;
  const chars = Array.from(value);
  const lengths = chars.map((_, i) => i + 1);
  if (mode === 'longest') lengths.reverse();
  for (const n of lengths) {
    if (re.test(chars.slice(0, n).join(''))) return chars.slice(n).join('');
  }
  return value;
}

function trimSuffix(value: string, pattern: string, mode: 'shortest' | 'longest'): string {
  const re = globToRegExp(pattern);
  if (!re) return value;
  const chars = Array.from(value);
  const starts = chars.map((_, i) => i);
  if (mode === 'shortest') starts.reverse();
  for (const n of starts) {
    if (re.test(chars.slice(n).join(''))) return chars.slice(0, n).join('');
  }
  return value;
}

/** Go path.Match syntax: `*`, `?`, `[…]` / `[^…]` classes, `\` escapes; "/" is never matched by wildcards. */
function globToRegExp(pattern: string): RegExp | undefined {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\') {
      i++;
      if (i >= pattern.length) return undefined;
      re += RegExp.escape(pattern[i]!);
    } else if (c === '[') {
      const close = pattern.indexOf(']', i + 2);
      if (close < 0) return undefined;
      let body = pattern.slice(i + 1, close);
      const negate = body.startsWith('^');
      if (negate) body = body.slice(1);
      re += (negate ? '[^/' : '[') + body.replace(/[\]\\[]/g, '\\$&') + ']';
      i = close;
    } else re += RegExp.escape(c);
  }
  try {
    return new RegExp('^(?:' + re + ')$', 'su');
  } catch {
    return undefined;
  }
}
