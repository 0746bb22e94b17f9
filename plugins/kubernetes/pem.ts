/** Certificates, keys and kubeconfigs as the settings give them: as is, or base64-encoded. */

/** Secrets often arrive base64-encoded (Drone secrets cannot hold newlines everywhere). */
export function decodeMaybeBase64(value: string, looksDecoded: (text: string) => boolean): string {
  const v = value.trim();
  if (looksDecoded(v)) return v;
  if (/^[A-Za-z0-9+/=_\-\s]+$/.test(v)) {
    const decoded = Buffer.from(v.replace(/\s+/g, ''), 'base64').toString('utf8');
    if (looksDecoded(decoded)) return decoded;
  }
  return v;
}

const isPem = (text: string) => text.includes('-----BEGIN');

/** A certificate or key setting's PEM text, as given or decoded from base64; undefined when it is neither. */
export function pemText(raw: string): string | undefined {
  const text = decodeMaybeBase64(raw, isPem);
  return isPem(text) ? text : undefined;
}

/** The check of a certificate or key setting; it says nothing of the value, which may be a key. */
export function pemProblem(raw: string): string | undefined {
  return pemText(raw) === undefined ? 'expected PEM (starting with -----BEGIN) or base64-encoded PEM' : undefined;
}
