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

export class Masker {
  /** Pattern source -> length of the text it stands for: longer secrets are matched first. */
  #patterns = new Map<string, number>();
  #pattern: RegExp | undefined;

  add(secret: string | undefined): void {
    const value = secret?.trim();
    if (!value) return;
    const before = this.#patterns.size;
    this.#addShapes(value);
    // A multi-line secret (a kubeconfig, a PEM key) is often printed one line at a time.
    if (value.includes('\n')) {
      for (const line of value.split(/\r?\n/)) {
        const material = keyMaterialOf(line);
        if (material) this.#addShapes(material);
      }
    }
    if (this.#patterns.size !== before) this.#pattern = undefined;
  }

  get size(): number {
    return this.#patterns.size;
  }

  mask(text: string): string {
    return this.maskAt(text, 0).text;
  }

  /** Masks `text` and says where its offset `at` went, for an excerpt pointing at a position. */
  maskAt(text: string, at: number): { text: string; at: number } {
    const pattern = this.#compiled();
    if (!pattern || !text) return { text, at };
    let moved = at;
    const masked = text.replace(pattern, (match: string, offset: number) => {
      if (offset + match.length <= at) moved += MASK.length - match.length;
      else if (offset < at) moved = moved - (at - offset) + MASK.length;
      return MASK;
    });
    return { text: masked, at: moved };
  }

  /** Whether `text` holds a registered secret: what is computed from it is a secret too. */
  covers(text: string): boolean {
    const pattern = this.#compiled();
    if (!pattern || !text) return false;
    pattern.lastIndex = 0;
    return pattern.test(text);
  }

  #addShapes(value: string): void {
    const short = value.length < SHORT_SECRET;
    for (const form of shapesOf(value)) {
      const source = patternOf(form);
      this.#patterns.set(short ? `(?<![\\p{L}\\p{N}])${source}(?![\\p{L}\\p{N}])` : source, value.length);
    }
  }

  #compiled(): RegExp | undefined {
    if (this.#patterns.size === 0) return undefined;
    this.#pattern ??= new RegExp(
      [...this.#patterns]
        .sort((a, b) => b[1] - a[1])
        .map(([source]) => source)
        .join('|'),
      'gu',
    );
    return this.#pattern;
  }
}

/** The literal text, except that `%2f` and `%2F` are the same escape. */
function patternOf(form: string): string {
  return form
    .split(/(%[0-9A-F]{2})/)
    .map((part, i) => (i % 2 === 1 ? `%[${part[1]}${part[1]!.toLowerCase()}][${part[2]}${part[2]!.toLowerCase()}]` : part && RegExp.escape(part)))
    .join('');
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
  const masked = masker.mask(text);
  return masked.length > max ? `${masked.slice(0, max)}...` : masked;
}

/**
 * A value computed from a secret (`${TOKEN:0:8}`, `{{upper TOKEN}}`) is a secret too, wherever the
 * result is shown. A length or a count is not: it says nothing of the value.
 */
export function deriveSecret(from: string, result: unknown): void {
  if (typeof result !== 'string' || result === from || !masker.covers(from)) return;
  masker.add(result);
}

/**
 * The parts of a secret URL that a server may quote on their own: its password, its path and
 * query, and the last path segment (a webhook's token).
 */
export function urlSecrets(value: string): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [];
  }
  const path = url.pathname === '/' ? '' : url.pathname;
  return [url.password, path + url.search, path.split('/').at(-1) ?? ''];
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
