/**
 * The secrets inside the credential settings, registered when the settings are read: before any
 * error about the kubeconfig, its user or its proxy can be printed.
 */
import { load } from 'js-yaml';
import { decodeMaybeBase64, pemText } from './pem.ts';

// What a kubeconfig user names rather than holds: who it is, files, and how a plugin is run.
const NOT_SECRET = new Set([
  'username',
  'client-certificate',
  'client-certificate-data',
  'client-key',
  'tokenFile',
  'token-file',
  'as',
  'as-uid',
  'as-groups',
  'as-user-extra',
  'command',
  'apiVersion',
  'installHint',
  'interactiveMode',
  'provideClusterInfo',
  'name',
]);

/**
 * Every value of every `users[].user` (token, password, client key, exec args and env values,
 * auth-provider config), and the password of every cluster's `proxy-url`. An exec argument that is
 * only a flag name (`--region`) is not a secret; its value is, also after `=`.
 */
export function kubeconfigSecrets(raw: string): string[] {
  let doc: { users?: unknown; clusters?: unknown };
  try {
    doc = (load(kubeconfigText(raw)) ?? {}) as typeof doc;
  } catch {
    // Reported, without quoting it, when the plugin connects; the raw value is masked already.
    return [];
  }
  const out: string[] = [];
  for (const u of listOf(doc.users)) {
    const user = (u as { user?: Record<string, unknown> } | null)?.user;
    if (user) collect(user, out);
    const key = user?.['client-key-data'];
    if (typeof key === 'string') out.push(Buffer.from(key, 'base64').toString('utf8'));
  }
  for (const c of listOf(doc.clusters)) {
    const proxy = (c as { cluster?: Record<string, unknown> } | null)?.cluster?.['proxy-url'];
    if (typeof proxy === 'string') out.push(...proxyPassword(proxy));
  }
  return out;
}

/** A PEM key given as base64 is printed decoded by whatever quotes it. */
export function pemSecrets(raw: string): string[] {
  return [pemText(raw) ?? raw];
}

function collect(value: unknown, out: string[]): void {
  if (typeof value === 'string' || typeof value === 'number') {
    const text = String(value);
    if (!/^--?[\w-]+$/.test(text)) out.push(text);
    // `--token=x` is printed as `x` too.
    const flagValue = /^--?[\w-]+=(.+)$/s.exec(text)?.[1];
    if (flagValue) out.push(flagValue);
  } else if (Array.isArray(value)) {
    for (const v of value) collect(v, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (!NOT_SECRET.has(k)) collect(v, out);
  }
}

/** As written and decoded; a malformed escape is masked as written. */
function proxyPassword(url: string): string[] {
  let password: string;
  try {
    password = new URL(url).password;
  } catch {
    return [];
  }
  try {
    return [password, decodeURIComponent(password)];
  } catch {
    return [password];
  }
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A kubeconfig as YAML, whether it was given as YAML or as base64. */
export function kubeconfigText(raw: string): string {
  return decodeMaybeBase64(raw, (t) => /(^|\n|[{,])\s*"?(apiVersion|clusters|contexts|users|current-context)"?\s*:/.test(t));
}
