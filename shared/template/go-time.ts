/**
 * Go's time formatting, as drone-template-lib and sprig expose it to templates: `Duration.String()`
 * and reference layouts (`2006-01-02 15:04:05 MST`). Time zones come from Intl; zone abbreviations
 * come from the same tzdata files Go reads, because Intl only knows them for a few locales.
 */
import { join } from 'node:path';
import { MAX_ZONEINFO_BYTES } from '../limits.ts';
import { readBoundedFile } from '../read-file.ts';

const NS_PER_SECOND = 1_000_000_000n;

/** Go `time.Duration(seconds * time.Second).String()`. */
export function formatGoDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '0s';
  const ns = Number.isInteger(seconds)
    ? BigInt(seconds) * NS_PER_SECOND
    : BigInt(Math.round(seconds * 1e9));
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  if (u === 0n) return '0s';
  let out: string;
  if (u < NS_PER_SECOND) {
    // Go switches to the largest unit below a second, so half a second prints as "500ms".
    const [prec, unit] = u < 1000n ? [0, 'ns'] : u < 1_000_000n ? [3, 'µs'] : [6, 'ms'];
    const frac = fracDigits(u, prec);
    out = String(u / 10n ** BigInt(prec)) + frac + unit;
  } else {
    const frac = fracDigits(u % NS_PER_SECOND, 9);
    u /= NS_PER_SECOND;
    out = String(u % 60n) + frac + 's';
    u /= 60n;
    if (u > 0n) {
      out = String(u % 60n) + 'm' + out;
      u /= 60n;
      if (u > 0n) out = String(u) + 'h' + out;
    }
  }
  return neg ? '-' + out : out;
}

/** Go's fmtFrac: the low `prec` digits of v as ".ddd" without trailing zeros, or "" when all zero. */
function fracDigits(v: bigint, prec: number): string {
  if (prec === 0) return '';
  const digits = String(v % 10n ** BigInt(prec))
    .padStart(prec, '0')
    .replace(/0+$/, '');
  return digits === '' ? '' : '.' + digits;
}

/** Whether Intl (and so our formatter) knows the zone; Go's LoadLocation fails for the others. */
export function isTimeZone(zone: string): boolean {
  if (zone === '') return false;
  try {
    wallClockFormat(zone);
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  nanosecond: number;
  weekday: number;
  yearDay: number;
  offsetSeconds: number;
  zoneName: () => string;
}

const formats = new Map<string, Intl.DateTimeFormat>();

function wallClockFormat(zone: string | undefined): Intl.DateTimeFormat {
  // Local is keyed by TZ because Node re-reads it when process.env.TZ changes.
  const key = zone ?? 'local:' + (process.env.TZ ?? '');
  let fmt = formats.get(key);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formats.set(key, fmt);
  }
  return fmt;
}

/** Go resolves "" and unknown zones to Local in drone-template-lib's datetime; "Local" is Local too. */
function resolveZone(zone: string | undefined): string | undefined {
  if (zone === undefined || zone === 'Local' || !isTimeZone(zone)) return undefined;
  return zone;
}

function wallClock(date: Date, zone: string | undefined): WallClock {
  const ms = date.getTime();
  const wholeMs = Math.floor(ms / 1000) * 1000;
  // wallClockFormat asks for every one of these.
  const parts = {} as Record<'year' | 'month' | 'day' | 'hour' | 'minute' | 'second', number>;
  for (const p of wallClockFormat(zone).formatToParts(date)) {
    if (p.type !== 'literal') parts[p.type as keyof typeof parts] = Number(p.value);
  }
  const asUtc = Date.UTC(parts.year, parts.month - 1, parts.day, parts.hour, parts.minute, parts.second);
  const offsetSeconds = Math.round((asUtc - wholeMs) / 1000);
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour: parts.hour,
    minute: parts.minute,
    second: parts.second,
    nanosecond: (ms - wholeMs) * 1_000_000,
    weekday: new Date(Date.UTC(parts.year, parts.month - 1, parts.day)).getUTCDay(),
    yearDay: Math.round((Date.UTC(parts.year, parts.month - 1, parts.day) - Date.UTC(parts.year, 0, 1)) / 86_400_000) + 1,
    offsetSeconds,
    zoneName: () =>
      zoneAbbreviation(
        zone ?? wallClockFormat(undefined).resolvedOptions().timeZone,
        Math.floor(ms / 1000),
        offsetSeconds,
      ),
  };
}

const abbreviations = new Map<string, ((unixSeconds: number, offset: number) => string | undefined) | null>();

function zoneAbbreviation(zoneId: string, unixSeconds: number, offset: number): string {
  if (zoneId === 'UTC' || zoneId === 'Etc/UTC') return 'UTC';
  let lookup = abbreviations.get(zoneId);
  if (lookup === undefined) {
    lookup = loadTzif(zoneId);
    abbreviations.set(zoneId, lookup);
  }
  const name = lookup?.(unixSeconds, offset);
  if (name) return name;
  // Without tzdata, fall back to what Intl names in en-US (US zones, GMT) and else to the numeric
  // form that tzdata itself uses for zones without a letter abbreviation ("+04", "+0545").
  const intl = new Intl.DateTimeFormat('en-US', { timeZone: zoneId, timeZoneName: 'short' })
    .formatToParts(new Date(unixSeconds * 1000))
    .find((p) => p.type === 'timeZoneName')?.value;
  if (intl && /^[A-Z]{2,5}$/.test(intl)) return intl;
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 3600)).padStart(2, '0');
  const mm = Math.floor(abs / 60) % 60;
  return (offset < 0 ? '-' : '+') + hh + (mm === 0 ? '' : String(mm).padStart(2, '0'));
}

/**
 * Reads a TZif file (RFC 8536) the way Go's LoadLocation does. Returns null when there is none.
 * Times after the last transition follow the footer rule; rather than evaluating the POSIX rule we
 * pick its std or dst name by the offset Intl already computed.
 */
function loadTzif(zoneId: string): ((unixSeconds: number, offset: number) => string | undefined) | null {
  if (zoneId.includes('..')) return null;
  let buf: Buffer | undefined;
  try {
    const path = join(process.env.ZONEINFO || '/usr/share/zoneinfo', zoneId);
    buf = readBoundedFile(path, { shown: path, maxBytes: MAX_ZONEINFO_BYTES });
  } catch {
    return null;
  }
  if (!buf || buf.length < 44 || buf.toString('latin1', 0, 4) !== 'TZif') return null;
  const counts = (at: number) => [0, 1, 2, 3, 4, 5].map((i) => buf.readUInt32BE(at + 20 + i * 4)) as [number, number, number, number, number, number];
  let [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(0);
  let at = 44;
  let timeSize = 4;
  if (buf[4]! >= 0x32) {
    at += timecnt * 4 + timecnt + typecnt * 6 + charcnt + leap * 8 + isstd + isut;
    [isut, isstd, leap, timecnt, typecnt, charcnt] = counts(at);
    at += 44;
    timeSize = 8;
  }
  const transitions: number[] = [];
  for (let i = 0; i < timecnt; i++) {
    transitions.push(timeSize === 8 ? Number(buf.readBigInt64BE(at + i * 8)) : buf.readInt32BE(at + i * 4));
  }
  at += timecnt * timeSize;
  const typeOf = [...buf.subarray(at, at + timecnt)];
  at += timecnt;
  const types = Array.from({ length: typecnt }, (_, i) => ({
    offset: buf.readInt32BE(at + i * 6),
    abbrIndex: buf.readUInt8(at + i * 6 + 5),
  }));
  at += typecnt * 6;
  const chars = buf.toString('latin1', at, at + charcnt);
  const nameAt = (index: number) => chars.slice(index, chars.indexOf('\0', index));
  at += charcnt + leap * (timeSize + 4) + isstd + isut;
  const footer = buf.toString('latin1', at).trim();
  const rule = /^(<[^>]+>|[A-Za-z]+)([-+]?[\d:]+)(<[^>]+>|[A-Za-z]+)?/.exec(footer);
  const strip = (n: string | undefined) => n?.replace(/^<|>$/g, '');
  return (unixSeconds, offset) => {
    let idx = -1;
    for (let i = transitions.length - 1; i >= 0; i--) {
      if (transitions[i]! <= unixSeconds) {
        idx = i;
        break;
      }
    }
    if (rule && (idx === transitions.length - 1 || transitions.length === 0)) {
      const stdOffset = -parsePosixOffset(rule[2]!);
      return offset === stdOffset || !rule[3] ? strip(rule[1]) : strip(rule[3]);
    }
    const typeIndex = idx < 0 ? 0 : typeOf[idx];
    const type = typeIndex === undefined ? undefined : types[typeIndex];
    return type ? nameAt(type.abbrIndex) : undefined;
  };
}

function parsePosixOffset(text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const [h = 0, m = 0, s = 0] = text.replace(/^[-+]/, '').split(':').map(Number);
  return sign * (h * 3600 + m * 60 + s);
}

const LONG_MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const LONG_DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

// Longest first, as Go's nextStdChunk tries them.
const ZONE_CHUNKS = ['070000', '07:00:00', '0700', '07:00', '07'];

const pad = (n: number, width: number) => String(n).padStart(width, '0');

/**
 * Go `t.In(zone).Format(layout)`. `zone` undefined, "", "Local" or unknown means the process's
 * local zone (TZ), matching drone-template-lib's datetime fallback.
 */
export function formatGoLayout(date: Date, layout: string, zone?: string): string {
  if (Number.isNaN(date.getTime())) return '';
  let clock: WallClock | undefined;
  const t = () => {
    clock ??= wallClock(date, resolveZone(zone));
    return clock;
  };
  let out = '';
  let i = 0;
  while (i < layout.length) {
    const rest = layout.slice(i);
    const chunk = nextChunk(rest);
    if (chunk === undefined) {
      out += layout[i];
      i++;
      continue;
    }
    out += chunk.render(t());
    i += chunk.length;
  }
  return out;
}

interface Chunk {
  length: number;
  render: (t: WallClock) => string;
}

const startsLower = (s: string) => /^[a-z]/.test(s);

function nextChunk(s: string): Chunk | undefined {
  const c = (length: number, render: (t: WallClock) => string): Chunk => ({ length, render });
  switch (s[0]) {
    case 'J':
      if (s.startsWith('January')) return c(7, (t) => LONG_MONTHS[t.month - 1]!);
      if (s.startsWith('Jan') && !startsLower(s.slice(3))) return c(3, (t) => LONG_MONTHS[t.month - 1]!.slice(0, 3));
      return undefined;
    case 'M':
      if (s.startsWith('Monday')) return c(6, (t) => LONG_DAYS[t.weekday]!);
      if (s.startsWith('Mon') && !startsLower(s.slice(3))) return c(3, (t) => LONG_DAYS[t.weekday]!.slice(0, 3));
      if (s.startsWith('MST')) return c(3, (t) => t.zoneName());
      return undefined;
    case '0':
      if (/^[1-6]/.test(s.slice(1))) {
        const field = s[1];
        return c(2, (t) => {
          switch (field) {
            case '1':
              return pad(t.month, 2);
            case '2':
              return pad(t.day, 2);
            case '3':
              return pad(t.hour % 12 || 12, 2);
            case '4':
              return pad(t.minute, 2);
            case '5':
              return pad(t.second, 2);
            default:
              return pad(((t.year % 100) + 100) % 100, 2);
          }
        });
      }
      if (s.startsWith('002')) return c(3, (t) => pad(t.yearDay, 3));
      return undefined;
    case '1':
      if (s[1] === '5') return c(2, (t) => pad(t.hour, 2));
      return c(1, (t) => String(t.month));
    case '2':
      if (s.startsWith('2006')) return c(4, (t) => pad(t.year, 4));
      return c(1, (t) => String(t.day));
    case '_':
      // "_2006" is a literal underscore followed by the year, not a padded day.
      if (s[1] === '2' && !s.startsWith('_2006')) return c(2, (t) => String(t.day).padStart(2, ' '));
      if (s.startsWith('__2')) return c(3, (t) => String(t.yearDay).padStart(3, ' '));
      return undefined;
    case '3':
      return c(1, (t) => String(t.hour % 12 || 12));
    case '4':
      return c(1, (t) => String(t.minute));
    case '5':
      return c(1, (t) => String(t.second));
    case 'P':
      return s[1] === 'M' ? c(2, (t) => (t.hour >= 12 ? 'PM' : 'AM')) : undefined;
    case 'p':
      return s[1] === 'm' ? c(2, (t) => (t.hour >= 12 ? 'pm' : 'am')) : undefined;
    case '-':
    case 'Z': {
      const form = ZONE_CHUNKS.find((z) => s.startsWith(z, 1));
      if (form === undefined) return undefined;
      const iso = s[0] === 'Z';
      return c(1 + form.length, (t) => (iso && t.offsetSeconds === 0 ? 'Z' : numericZone(t.offsetSeconds, form)));
    }
    case '.':
    case ',': {
      const digit = s[1];
      if (digit !== '0' && digit !== '9') return undefined;
      let j = 1;
      while (s[j] === digit) j++;
      if (/^[0-9]/.test(s.slice(j))) return undefined;
      const sep = s[0];
      const width = j - 1;
      return c(j, (t) => {
        const digits = pad(t.nanosecond, 9).slice(0, width);
        if (digit === '0') return sep + digits;
        const trimmed = digits.replace(/0+$/, '');
        return trimmed === '' ? '' : sep + trimmed;
      });
    }
    default:
      return undefined;
  }
}

function numericZone(offsetSeconds: number, form: string): string {
  const abs = Math.abs(offsetSeconds);
  const colon = form.includes(':') ? ':' : '';
  let out = (offsetSeconds < 0 ? '-' : '+') + pad(Math.floor(abs / 3600), 2);
  if (form !== '07') out += colon + pad(Math.floor(abs / 60) % 60, 2);
  if (form.length > 5) out += colon + pad(abs % 60, 2);
  return out;
}
