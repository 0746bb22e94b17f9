import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
// The light modules of client-node only: its package entry (and config.js) pulls in every generated
// API model and adds ~100 ms to each start, five times a bare `node -e 0`.
import { type Cluster, type Context, type User, newClusters, newContexts, newUsers } from '@kubernetes/client-node/dist/config_types.js';
import { PluginError } from '../../shared/errors.ts';
import { MAX_INPUT_FILE_BYTES, MAX_SMALL_FILE_BYTES } from '../../shared/limits.ts';
import { readBoundedFile, readTextFile } from '../../shared/read-file.ts';
import { YamlLimitError, loadBoundedYaml, nodeBudget } from '../../shared/yaml.ts';
import { kubeconfigText } from './credentials.ts';
import { pemText } from './pem.ts';

/** Where and as whom to talk to the API server: what every request needs, whatever the auth mode. */
export interface Connection {
  readonly server: string;
  readonly ca: Buffer | undefined;
  readonly cert: Buffer | undefined;
  readonly key: Buffer | undefined;
  readonly rejectUnauthorized: boolean;
  /** The name the server's certificate must carry, when not the host of `server` (kubeconfig `tls-server-name`). */
  readonly serverName?: string | undefined;
  /** An HTTP(S) proxy for this cluster alone (kubeconfig `proxy-url`); otherwise HTTPS_PROXY and NO_PROXY apply. */
  readonly proxyUrl?: string | undefined;
  /** The namespace of the kubeconfig context or of the service account, if any. */
  readonly namespace: string | undefined;
  /** The kubeconfig context in use; none without a kubeconfig. */
  readonly context?: string | undefined;
  /** Who we are, said without secrets, for error messages: `kubeconfig context "ci" (user "deployer")`. */
  readonly identity: string;
  readonly mode: 'kubeconfig' | 'server' | 'in-cluster';
  /** Authorization (and impersonation) headers; re-read each time so rotated tokens are picked up. */
  headers(): Promise<Record<string, string>>;
}

interface AuthInput {
  readonly kubeconfig?: string | undefined;
  readonly context?: string | undefined;
  readonly server?: string | undefined;
  readonly token?: string | undefined;
  readonly ca?: string | undefined;
  readonly client_cert?: string | undefined;
  readonly client_key?: string | undefined;
  readonly insecure_skip_tls_verify: boolean;
  readonly service_account_dir: string;
}

/**
 * The settings' secrets are registered when they are read (see credentials.ts); `register` takes
 * what only shows up while connecting: the token an exec plugin or a token file yields.
 */
export async function connect(input: AuthInput, env: NodeJS.ProcessEnv, workspace: string, register: Register): Promise<Connection> {
  if (input.kubeconfig) return fromKubeconfig(input.kubeconfig, input.context, input.insecure_skip_tls_verify, workspace, register);
  if (input.server) return fromServer(input);
  return fromServiceAccount(input.service_account_dir, env, input.insecure_skip_tls_verify, register);
}

type Register = (secrets: Iterable<string | undefined>) => void;

async function fromKubeconfig(raw: string, wanted: string | undefined, insecure: boolean, workspace: string, register: Register): Promise<Connection> {
  const text = kubeconfigText(raw);
  if (looksLikePath(text)) {
    // Not quoted: the setting is a secret, so the masker would hide the path anyway.
    throw new PluginError('settings.kubeconfig holds a file path, not a kubeconfig', {
      hint: "The setting takes the kubeconfig's contents: store the whole file (or its base64) in a secret and use kubeconfig: {from_secret: kubeconfig}.",
    });
  }
  let doc: Record<string, unknown>;
  let clusters: Cluster[];
  let contexts: Context[];
  let users: User[];
  try {
    doc = (loadBoundedYaml(text, nodeBudget()) ?? {}) as Record<string, unknown>;
    clusters = newClusters(doc.clusters);
    contexts = newContexts(doc.contexts);
    users = newUsers(doc.users);
  } catch (err) {
    if (err instanceof YamlLimitError) throw new PluginError(`settings.kubeconfig is refused: ${err.message}`);
    // js-yaml quotes the offending line, which may hold a credential: keep only its position.
    const mark = (err as { mark?: { line: number } }).mark;
    const where = mark ? ` at line ${mark.line + 1}` : '';
    const detail = mark ? '' : `: ${(err as Error).message}`;
    throw new PluginError(`settings.kubeconfig is not a valid kubeconfig${where}${detail}`, {
      hint: 'Give the whole kubeconfig file (YAML) or its base64 encoding, as a secret.',
    });
  }
  const name = wanted || (doc['current-context'] as string | undefined);
  if (!name) {
    throw new PluginError('the kubeconfig has no current-context and settings.context is not set', {
      hint: `Set settings.context to one of: ${contexts.map((c) => c.name).join(', ') || '(the kubeconfig has no contexts)'}.`,
    });
  }
  const context = contexts.find((c) => c.name === name);
  if (!context) {
    throw new PluginError(`the kubeconfig has no context "${name}"`, {
      hint: `Its contexts are: ${contexts.map((c) => c.name).join(', ') || '(none)'}.`,
    });
  }
  const cluster = clusters.find((c) => c.name === context.cluster);
  if (!cluster) throw new PluginError(`the kubeconfig context "${name}" names cluster "${context.cluster}", which the kubeconfig does not define`);
  const user = users.find((u) => u.name === context.user);
  if (!user) throw new PluginError(`the kubeconfig context "${name}" names user "${context.user}", which the kubeconfig does not define`);

  const file = (path: string | undefined) => {
    if (!path) return undefined;
    const bytes = readBoundedFile(resolve(workspace, path), { shown: `${path} (named by the kubeconfig)`, maxBytes: MAX_INPUT_FILE_BYTES });
    if (!bytes) throw new PluginError(`the kubeconfig names the file ${path}, which does not exist (in ${workspace})`);
    return bytes;
  };
  const data = (b64: string | undefined) => (b64 ? Buffer.from(b64, 'base64') : undefined);
  const auth = userAuth(user, `kubeconfig user "${user.name}"`, register);
  const first = await auth.apply();
  return {
    server: cluster.server.replace(/\/+$/, ''),
    ca: data(cluster.caData) ?? file(cluster.caFile),
    cert: first.cert ?? data(user.certData) ?? file(user.certFile),
    key: first.key ?? data(user.keyData) ?? file(user.keyFile),
    rejectUnauthorized: !(insecure || cluster.skipTLSVerify),
    serverName: cluster.tlsServerName,
    proxyUrl: cluster.proxyUrl && proxyOf(cluster.proxyUrl, cluster.name),
    namespace: context.namespace,
    context: name,
    identity: `kubeconfig context "${name}" (user "${user.name}")`,
    mode: 'kubeconfig',
    headers: async () => (await auth.apply()).headers,
  };
}

interface Applied {
  headers: Record<string, string>;
  cert?: Buffer;
  key?: Buffer;
}

/** A kubeconfig user's credentials as headers, using client-node's exec and token-file providers. */
function userAuth(user: User, label: string, register: Register): { apply(): Promise<Applied> } {
  const provider = user.authProvider as { name?: string; config?: { tokenFile?: string } } | undefined;
  const tokenFile = provider?.config?.tokenFile ? tokenFileReader(provider.config.tokenFile, label) : undefined;
  // Loaded only for the users that need it: ExecAuth brings node:child_process (with net and
  // dgram) into every start otherwise.
  const authenticator = user.exec ? import('@kubernetes/client-node/dist/exec_auth.js').then((m) => new m.ExecAuth()) : undefined;
  if (provider && !tokenFile) {
    throw new PluginError(`${label} uses the auth-provider "${provider.name}", which this plugin does not support`, {
      hint: 'Use a token, a client certificate or an exec credential plugin in the kubeconfig (kubectl removed the built-in auth providers too).',
    });
  }
  let masked: string | undefined;
  return {
    async apply() {
      const opts: { headers: Record<string, string>; cert?: string | Buffer; key?: string | Buffer } = { headers: {} };
      if (authenticator) {
        try {
          await (await authenticator).applyAuthentication(user, opts as never);
        } catch (err) {
          throw new PluginError(`${label}: getting credentials failed: ${(err as Error).message}`, {
            hint: user.exec ? `The exec credential plugin "${user.exec.command}" must be installed in the step's image.` : undefined,
          });
        }
      }
      if (tokenFile) opts.headers.authorization = `Bearer ${tokenFile()}`;
      if (user.token) opts.headers.authorization = `Bearer ${user.token}`;
      else if (user.username) opts.headers.authorization = `Basic ${Buffer.from(`${user.username}:${user.password ?? ''}`).toString('base64')}`;
      if (user.impersonateUser) opts.headers['impersonate-user'] = user.impersonateUser;
      const auth = opts.headers.authorization ?? opts.headers.Authorization;
      // Once per credential: each addition makes the masker rebuild its pattern.
      if (auth && auth !== masked) {
        masked = auth;
        register([auth.replace(/^\w+ /, '')]);
      }
      if (auth) {
        delete opts.headers.Authorization;
        opts.headers.authorization = auth;
      }
      return { headers: opts.headers, cert: toBuffer(opts.cert), key: toBuffer(opts.key) };
    },
  };
}

// What client-go does: a projected token is rotated in place, so it is read again after a minute.
const TOKEN_FILE_REREAD_MS = 60_000;

/**
 * A token file's current token. Trimmed: a file written by `echo` or a Secret edited by hand ends in
 * a newline, which is not part of the token (and makes the header invalid).
 */
function tokenFileReader(path: string, label: string): () => string {
  let token = '';
  let readAt = -Infinity;
  return () => {
    if (performance.now() - readAt < TOKEN_FILE_REREAD_MS) return token;
    const text = readTextFile(path, { shown: path, maxBytes: MAX_SMALL_FILE_BYTES })?.trim();
    if (!text) throw new PluginError(`${label}: the token file ${path} ${text === undefined ? 'does not exist' : 'is empty'}`);
    if (/\s/.test(text)) throw new PluginError(`${label}: the token file ${path} holds more than one line or word; a token is one`);
    token = text;
    readAt = performance.now();
    return token;
  };
}

/** A single line with no YAML key in it, naming a file: `/root/.kube/config`, `~/.kube/config`, `kubeconfig.yaml`. */
function looksLikePath(text: string): boolean {
  return !text.includes('\n') && !/:\s|^\{/.test(text) && /^(~|\.{0,2}\/|\$\{?\w+\}?\/)|\.(ya?ml|conf|config|kubeconfig)$|(^|\/)config$/.test(text);
}

function proxyOf(url: string, cluster: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new PluginError(`the kubeconfig cluster "${cluster}" has a proxy-url that is not a URL`, { hint: 'Example: proxy-url: http://proxy.internal:3128' });
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new PluginError(`the kubeconfig cluster "${cluster}" has a ${parsed.protocol.slice(0, -1)} proxy-url; this plugin speaks to http and https proxies only`, {
      hint: 'Use an HTTP proxy (CONNECT) for the API server, or remove proxy-url and reach the server directly.',
    });
  }
  return url;
}

function fromServer(input: AuthInput): Connection {
  // The declaration has checked that each is PEM, as given or in base64.
  const pem = (value: string | undefined) => (value ? Buffer.from(pemText(value) ?? value, 'utf8') : undefined);
  const token = input.token?.trim();
  return {
    server: normalizeServer(input.server!),
    ca: pem(input.ca),
    cert: pem(input.client_cert),
    key: pem(input.client_key),
    rejectUnauthorized: !input.insecure_skip_tls_verify,
    namespace: undefined,
    identity: token ? `the token of settings.token` : 'the client certificate of settings.client_cert',
    mode: 'server',
    headers: async (): Promise<Record<string, string>> => (token ? { authorization: `Bearer ${token}` } : {}),
  };
}

function fromServiceAccount(dir: string, env: NodeJS.ProcessEnv, insecure: boolean, register: Register): Connection {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT || '443';
  const tokenFile = join(dir, 'token');
  if (!host || !existsSync(tokenFile)) {
    throw new PluginError('no cluster to deploy to: settings.kubeconfig and settings.server are not set, and this step has no in-cluster service account', {
      hint:
        'Give kubeconfig (a secret), or server and token; or run on the Drone Kubernetes runner with service_account_name: on the pipeline ' +
        `(then ${tokenFile} and KUBERNETES_SERVICE_HOST exist).`,
    });
  }
  const read = (name: string) => readTextFile(join(dir, name), { shown: join(dir, name), maxBytes: MAX_SMALL_FILE_BYTES })?.trim();
  const namespace = read('namespace');
  const user: User = { name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile } } };
  const auth = userAuth(user, 'the in-cluster service account', register);
  return {
    // Only an IPv6 literal holds a colon; it needs brackets in a URL.
    server: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    ca: readBoundedFile(join(dir, 'ca.crt'), { shown: join(dir, 'ca.crt'), maxBytes: MAX_INPUT_FILE_BYTES }),
    cert: undefined,
    key: undefined,
    rejectUnauthorized: !insecure,
    namespace,
    identity: `the in-cluster service account${serviceAccountName(read('token'), namespace)}`,
    mode: 'in-cluster',
    headers: async () => (await auth.apply()).headers,
  };
}

/** The service account's name, from its token's claims (not verified: it is only used in messages). */
function serviceAccountName(token: string | undefined, namespace: string | undefined): string {
  try {
    const claims = JSON.parse(Buffer.from(token!.split('.')[1]!, 'base64url').toString('utf8')) as { sub?: string };
    if (claims.sub) return ` ${claims.sub}`;
  } catch {
    // An opaque token: only the namespace is known.
  }
  return namespace ? ` of namespace ${namespace}` : '';
}

function normalizeServer(server: string): string {
  const s = server.trim().replace(/\/+$/, '');
  if (!/^https?:\/\//.test(s)) return `https://${s}`;
  return s;
}

function toBuffer(v: string | Buffer | undefined): Buffer | undefined {
  return v === undefined ? undefined : Buffer.isBuffer(v) ? v : Buffer.from(v);
}
