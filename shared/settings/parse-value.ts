import { parseJsonText } from '../json-text.ts';
import { MAX_JSON_DEPTH } from '../limits.ts';
import { excerpt } from '../secrets.ts';
import type { Kind } from './declare.ts';

/**
 * What is wrong with a raw value, said so that `settings.<name>: ` can be put in front of it.
 * `redacted` says the same without quoting any of the value, for secret settings.
 */
export class ValueError extends Error {
  readonly redacted: string;

  constructor(message: string, redacted = message) {
    super(message);
    this.redacted = redacted;
  }
}

const TRUE = new Set(['true', 'yes', '1', 'on']);
const FALSE = new Set(['false', 'no', '0', 'off']);

export function parseValue(kind: Kind, raw: string): unknown {
  switch (kind) {
    case 'string':
      return raw;
    case 'bool':
      return parseBool(raw);
    case 'int':
      return parseInt10(raw);
    case 'duration':
      return parseDuration(raw);
    case 'list':
      return parseList(raw);
    case 'map':
      return parseMap(raw);
    case 'json':
      return parseJson(raw);
  }
}

function parseBool(raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  throw new ValueError('expected true or false');
}

function parseInt10(raw: string): number {
  const v = raw.trim();
  if (!/^[-+]?\d+$/.test(v)) throw new ValueError('expected a whole number');
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new ValueError('the number is too large');
  return n;
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Go's duration syntax (`90s`, `1h30m`, `500ms`); a bare number is seconds. */
function parseDuration(raw: string): number {
  const v = raw.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(v)) throw new ValueError('expected a duration');
  let total = 0;
  for (const [, num, , unit] of v.matchAll(/(\d+(\.\d+)?)(ms|s|m|h)/g)) total += Number(num) * UNIT_MS[unit!]!;
  return Math.round(total);
}

/** Drone joins a YAML list of scalars with commas; a JSON array keeps elements that hold commas. */
function parseList(raw: string): string[] {
  const v = raw.trim();
  if (v.startsWith('[')) {
    const parsed = parseJson(v);
    if (!Array.isArray(parsed)) throw new ValueError('expected a list');
    return parsed.map(scalarText).filter((s) => s !== '');
  }
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Drone encodes a YAML map as JSON; a `k=v` list is accepted too, as the anchor plugins do. Drone
 * and Woodpecker join a list with bare commas, so `["A=x, y", "B=1,2"]` arrives as `A=x, y,B=1,2`:
 * only a comma that starts a new `KEY=` ends an item. A JSON array keeps any value as written.
 */
function parseMap(raw: string): Record<string, string> {
  const v = raw.trim();
  if (v.startsWith('{')) {
    const parsed = parseJson(v);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ValueError('expected a map');
    return Object.fromEntries(Object.entries(parsed).map(([k, val]) => [k, scalarText(val)]));
  }
  const out: Record<string, string> = {};
  for (const item of v.startsWith('[') ? parseList(v) : splitPairs(v)) {
    const eq = item.indexOf('=');
    const shown = JSON.stringify(excerpt(item, 40));
    if (eq < 0) throw new ValueError(`expected key=value pairs, ${shown} has no "="`, 'expected key=value pairs, one has no "="');
    if (eq === 0) throw new ValueError(`expected key=value pairs, ${shown} has no key`, 'expected key=value pairs, one has no key');
    out[item.slice(0, eq).trim()] = item.slice(eq + 1);
  }
  return out;
}

/**
 * A key as build args, labels, variables and registries spell them: `NODE_ENV`,
 * `org.opencontainers.image.title`, `app.kubernetes.io/name`, `10.0.0.1:5000`.
 */
const STARTS_PAIR = /^\s*\w[\w./:-]*=/;

function splitPairs(v: string): string[] {
  const items: string[] = [];
  for (const piece of v.split(',')) {
    if (items.length === 0 || STARTS_PAIR.test(piece)) items.push(piece);
    else items[items.length - 1] += `,${piece}`;
  }
  return items.map((s) => s.trim()).filter((s) => s !== '');
}

function parseJson(raw: string): unknown {
  if (nestedTooDeep(raw)) throw new ValueError(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
  try {
    return parseJsonText(raw);
  } catch (err) {
    // V8's message quotes the text around the error, so it is kept out of secret settings' errors.
    throw new ValueError(`invalid JSON (${(err as Error).message})`, 'invalid JSON');
  }
}

/** Whether brackets outside strings nest past the limit: one pass, no allocation. */
function nestedTooDeep(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

function scalarText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
