/**
 * The one masking mechanism. Every log line and every printed error goes through `mask`, so a
 * secret registered here cannot reach the step log in any of the shapes it is commonly printed in:
 * as is, JSON-escaped, URL-encoded, or base64-encoded inside a larger value (a Docker `auth`
 * field, a kubeconfig's embedded data).
 */
/** What a masked value is shown as, wherever a value is hidden. */
export const MASK = '********';
// Shorter fragments would mask ordinary words and numbers in the log.
const MIN_FRAGMENT = 4;
const MIN_BASE64_FRAGMENT = 8;
// A line of a multi-line secret is masked on its own only when it looks like key material: a long
// token-like value. `apiVersion: v1` is in every kubeconfig and must stay readable in a diff.
const MIN_LINE_SECRET = 16;

export class Masker {
  #fragments = new Set<string>();
  #pattern: RegExp | undefined;

  add(secret: string | undefined): void {
    if (!secret) return;
    const value = secret.trim();
    if (value.length < MIN_FRAGMENT) return;
    const before = this.#fragments.size;
    for (const form of shapesOf(value)) this.#fragments.add(form);
    // A multi-line secret (a kubeconfig, a PEM key) is often printed one line at a time.
    if (value.includes('\n')) {
      for (const line of value.split(/\r?\n/)) {
        const material = keyMaterialOf(line);
        if (material) for (const form of shapesOf(material)) this.#fragments.add(form);
      }
    }
    if (this.#fragments.size !== before) this.#pattern = undefined;
  }

  get size(): number {
    return this.#fragments.size;
  }

  mask(text: string): string {
    if (this.#fragments.size === 0 || !text) return text;
    this.#pattern ??= new RegExp(
      [...this.#fragments]
        .sort((a, b) => b.length - a.length)
        .map((f) => RegExp.escape(f))
        .join('|'),
      'g',
    );
    return text.replace(this.#pattern, MASK);
  }
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
  return [...new Set(forms.filter((f) => f.length >= MIN_FRAGMENT))];
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

/** The process-wide masker: the logger and the error printer both read it. */
export const masker = new Masker();

/**
 * Environment variables whose names say they carry a secret. A `from_secret` value bound to a
 * step's `environment:` arrives as a plain variable with nothing marking it secret, so the name is
 * all there is to go on.
 */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|PRIVATE|API_?KEY|ACCESS_?KEY|WEBHOOK|KUBECONFIG|AUTH)/i;

export function maskSecretLookingEnv(env: NodeJS.ProcessEnv, into: Masker = masker): void {
  for (const [name, value] of Object.entries(env)) {
    if (value && SECRET_NAME.test(name) && !name.startsWith('DRONE_') && !name.startsWith('CI_')) into.add(value);
  }
}
