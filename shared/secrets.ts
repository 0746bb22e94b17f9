/**
 * The one masking mechanism. Every log line and every printed error goes through `mask`, so a
 * secret registered here cannot reach the step log in any of the shapes it is commonly printed in:
 * as is, JSON-escaped, URL-encoded (either case of hex), or base64-encoded inside a larger value (a
 * Docker `auth` field, a kubeconfig's embedded data).
 *
 * Secrets of any length are masked, as Drone's own runner does. One shorter than SHORT_SECRET is
 * masked only where it stands as a whole word (no letter or digit touching it): as a substring,
 * `abc` would blank every `abcdef` of the log.
 */
/** What a masked value is shown as, wherever a value is hidden. */
export const MASK = '********';
const SHORT_SECRET = 4;
const MIN_BASE64_FRAGMENT = 8;
// A line of a multi-line secret is masked on its own only when it looks like key material: a long
// token-like value. `apiVersion: v1` is in every kubeconfig and must stay readable in a diff.
const MIN_LINE_SECRET = 16;

/**
 * Shapes are found by plain string comparison, not one RegExp of them all: V8 refuses a pattern of
 * a few long secrets (a kubeconfig, a certificate bundle), and compiling thousands of alternatives
 * takes seconds. Shapes are filed by their first two characters, so a line costs one bucket lookup
 * a character, whatever the number and size of the secrets.
 */
const BUCKETS = 65536;

interface Shape {
  readonly text: string;
  /** Its third character's code (NaN when it has two), compared before the whole text. */
  readonly third: number;
  /** Masked only where no letter or digit touches it. */
  readonly whole: boolean;
}

export class Masker {
  #shapes = new Set<string>();
  /** Shapes of two or more characters by their first two, longest first; one-character shapes apart. */
  #buckets: (Shape[] | undefined)[] | undefined;
  #single = new Map<number, Shape>();
  /** The length of the longest shape: no secret reaches further than this past where it starts. */
  #longest = 0;

  add(secret: string | undefined): void {
    const value = secret?.trim();
    if (!value) return;
    this.#addShapes(value);
    // A multi-line secret (a kubeconfig, a PEM key) is often printed one line at a time.
    if (value.includes('\n')) {
      for (const line of value.split(/\r?\n/)) {
        const material = keyMaterialOf(line);
        if (material) this.#addShapes(material);
      }
    }
  }

  get size(): number {
    return this.#shapes.size;
  }

  mask(text: string): string {
    return this.maskAt(text, 0).text;
  }

  /** Masks `text` and says where its offset `at` went, for an excerpt pointing at a position. */
  maskAt(text: string, at: number): { text: string; at: number } {
    return this.#replace(text, text.length, at);
  }

  /**
   * The first `max` characters of the masked text, and whether there is more: a server's answer of
   * many megabytes is masked only as far as it is shown.
   */
  head(text: string, max: number): { text: string; more: boolean } {
    for (let until = max + this.#longest; ; until *= 2) {
      const masked = this.#replace(text, Math.min(until, text.length), 0).text;
      if (masked.length > max || until >= text.length) return { text: masked.slice(0, max), more: masked.length > max || until < text.length };
    }
  }

  /** `text` masked where secrets start before `until`, cut there unless a secret runs on past it. */
  #replace(text: string, until: number, at: number): { text: string; at: number } {
    if (this.#shapes.size === 0 || !text) return { text: text.slice(0, until), at };
    let out = '';
    let from = 0;
    let moved = at;
    for (const [start, end] of this.#spans(text, until)) {
      out += text.slice(from, start) + MASK;
      from = end;
      if (end <= at) moved += MASK.length - (end - start);
      else if (start < at) moved = moved - (at - start) + MASK.length;
    }
    return { text: from === 0 ? text.slice(0, until) : out + text.slice(from, Math.max(from, until)), at: moved };
  }

  /** Whether `text` holds a registered secret: what is computed from it is a secret too. */
  covers(text: string): boolean {
    return this.#shapes.size > 0 && !!text && !this.#spans(text, text.length).next().done;
  }

  #addShapes(value: string): void {
    const whole = value.length < SHORT_SECRET;
    for (const form of shapesOf(value)) {
      const text = foldEscapes(form);
      if (this.#shapes.has(text)) continue;
      this.#shapes.add(text);
      this.#longest = Math.max(this.#longest, text.length);
      const shape = { text, whole, third: text.charCodeAt(2) };
      if (text.length === 1) {
        this.#single.set(text.charCodeAt(0), shape);
        continue;
      }
      this.#buckets ??= new Array(BUCKETS);
      const key = bucketOf(text, 0);
      this.#buckets[key] ??= [];
      const bucket = this.#buckets[key];
      const i = bucket.findIndex((s) => s.text.length < text.length);
      bucket.splice(i < 0 ? bucket.length : i, 0, shape);
    }
  }

  /**
   * Where secrets stand in `text`, as [start, end) spans in order; overlapping matches are one span,
   * so no part of either secret is left beside the mask.
   */
  *#spans(text: string, until: number): Generator<[number, number]> {
    // No secret that starts before `until` reaches further than the longest shape past it.
    const folded = foldEscapes(until < text.length ? text.slice(0, until + this.#longest) : text);
    let start = -1;
    let end = -1;
    for (let i = 0; i < until || i < end; i++) {
      const length = this.#matchAt(folded, i);
      if (length === 0) continue;
      if (i >= end) {
        if (end > 0) yield [start, end];
        start = i;
      }
      end = Math.max(end, i + length);
    }
    if (end > 0) yield [start, end];
  }

  /** The length of the longest shape at `i`, or 0. */
  #matchAt(text: string, i: number): number {
    const bucket = (this.#buckets && i + 1 < text.length && this.#buckets[bucketOf(text, i)]) || NONE;
    const third = text.charCodeAt(i + 2);
    for (let k = 0; k < bucket.length; k++) {
      const shape = bucket[k]!;
      if ((shape.third === third || shape.text.length === 2) && text.startsWith(shape.text, i) && (!shape.whole || standsAlone(text, i, shape.text.length))) return shape.text.length;
    }
    return this.#single.size > 0 && this.#single.has(text.charCodeAt(i)) && standsAlone(text, i, 1) ? 1 : 0;
  }
}

const NONE: readonly Shape[] = [];

function bucketOf(text: string, i: number): number {
  return ((text.charCodeAt(i) << 8) ^ text.charCodeAt(i + 1)) & (BUCKETS - 1);
}

const WORD_BEFORE = /[\p{L}\p{N}]$/u;
const WORD_AFTER = /^[\p{L}\p{N}]/u;

/** No letter or digit right before or after `text[i, i + length)`. */
function standsAlone(text: string, i: number, length: number): boolean {
  return !WORD_BEFORE.test(text.slice(Math.max(0, i - 2), i)) && !WORD_AFTER.test(text.slice(i + length, i + length + 2));
}

/** `%2f` and `%2F` are the same escape: both sides are compared with escapes in capitals. */
function foldEscapes(text: string): string {
  return text.includes('%') ? text.replace(/%[0-9a-f]{2}/gi, (e) => e.toUpperCase()) : text;
}

/** The value of a `key: value` or `key=value` line, or the line, when it looks like a token or key. */
function keyMaterialOf(line: string): string | undefined {
  const t = line.trim();
  const value = /^[\w.-]+\s*[:=]\s*(.*)$/.exec(t)?.[1]?.replace(/^["']|["']$/g, '') ?? t;
  if (value.length < MIN_LINE_SECRET || /\s/.test(value)) return undefined;
  // A server address is not a secret, unless it carries credentials.
  if (/^https?:\/\/[^@]+$/.test(value)) return undefined;
  return /\d/.test(value) && /[A-Za-z]/.test(value) ? value : undefined;
}

function shapesOf(value: string): string[] {
  const forms = [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)];
  forms.push(encodeURIComponent(value).replace(/%20/g, '+'));
  const bytes = Buffer.from(value, 'utf8');
  for (let offset = 0; offset < 3; offset++) {
    for (const enc of ['base64', 'base64url'] as const) {
      const fragment = base64Fragment(bytes, offset, enc);
      if (fragment.length >= MIN_BASE64_FRAGMENT) forms.push(fragment);
    }
  }
  return [...new Set(forms.filter((f) => f !== ''))];
}

/**
 * The base64 characters that depend only on the secret's bytes when it starts `offset` bytes into
 * a larger encoded value: the characters at both edges mix in neighbouring bytes and are dropped.
 */
function base64Fragment(bytes: Buffer, offset: number, enc: 'base64' | 'base64url'): string {
  const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString(enc);
  const first = Math.ceil((offset * 8) / 6);
  const last = Math.floor(((offset + bytes.length) * 8) / 6);
  return encoded.slice(first, last);
}

/** The process-wide masker: the logger and the error printer read it; the runner registers into it. */
export const masker = new Masker();

/**
 * At most `max` characters of `text`, masked as a whole before it is cut: cutting first could
 * leave the start of a secret that no longer matches it. Every quoted server body and parser
 * message goes through here.
 */
export function excerpt(text: string, max: number): string {
  const head = masker.head(text, max);
  return head.more ? `${head.text}...` : head.text;
}

/**
 * A value computed from a secret (`${TOKEN:0:8}`, `{{upper TOKEN}}`) is a secret too, wherever the
 * result is shown. A length or a count is not: it says nothing of the value.
 */
export function deriveSecret(from: string, result: unknown): void {
  if (typeof result !== 'string' || result === from || !masker.covers(from)) return;
  masker.add(result);
}

/** Query parameters that carry a credential: Teams Workflows' `sig`, Google Chat's `key` and `token`. */
const SECRET_QUERY = /^(sig|signature|key|api_?key|token|access_?token|secret|password|auth|code)$/i;

/**
 * The parts of a secret URL that a server may quote on their own: its password, its path and
 * query, the last path segment (a webhook's token) and each credential in the query (not
 * `api-version=2016-06-01`, which would blank every such date).
 */
export function urlSecrets(value: string): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [];
  }
  const path = url.pathname === '/' ? '' : url.pathname;
  const query = [...url.searchParams].filter(([name]) => SECRET_QUERY.test(name)).map(([, v]) => v);
  return [url.password, path + url.search, path.split('/').at(-1) ?? '', ...query];
}

/**
 * Environment variables whose names say they carry a secret. A `from_secret` value bound to a
 * step's `environment:` arrives as a plain variable with nothing marking it secret, so the name is
 * all there is to go on. A declared setting is left to its declaration (`access_key` is an id),
 * and a switch (`SKIP_AUTH=true`) or a short value is not worth blanking every such word of the log.
 */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|WEBHOOK|KUBECONFIG|AUTH)/i;
const NOT_A_SECRET_VALUE = /^(true|false|yes|no|on|off|\d{1,3})$/i;

function isSecretLookingName(name: string): boolean {
  // The runner's own variables say AUTHOR and such; of them only the git credentials are secret.
  if (name.startsWith('DRONE_') || name.startsWith('CI_')) return name.endsWith('_NETRC_PASSWORD');
  return SECRET_NAME.test(name);
}

export function secretLookingEnv(env: NodeJS.ProcessEnv, declared: (name: string) => boolean = () => false): string[] {
  return Object.entries(env)
    .filter(([name, value]) => value && isSecretLookingName(name) && !declared(name) && !NOT_A_SECRET_VALUE.test(value.trim()))
    .map(([, value]) => value!);
}
