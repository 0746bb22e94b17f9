/**
 * Turns what the API server answered into one line a pipeline author can act on, and a hint.
 * The bodies these parse are those of a real kube-apiserver (see the kube-api fixtures).
 */
import { PluginError } from '../../shared/errors.ts';
import { HttpError, isAnswerTooLarge, isCertificateError } from '../../shared/http.ts';
import { MASK } from '../../shared/secrets.ts';
import type { Connection } from './auth.ts';
import { KubeError, typedPatchProblem } from './kube.ts';
import type { Planned } from './plan.ts';
import { where } from './source-line.ts';

export interface Failure {
  readonly message: string;
  readonly hint?: string;
}

/** What we were doing, to name it in the message. */
interface Doing {
  /** `apply`, `dry-run apply`, `read`, `delete`, `list`... */
  readonly action: string;
  readonly object?: Pick<Planned, 'label' | 'namespace' | 'source'>;
  /** What the request was about when it is not an object of the manifests: `pods in namespace demo`. */
  readonly what?: string;
}

const FORBIDDEN = /User "([^"]*)" cannot (\w+) resource "([^"]*)" in API group "([^"]*)"(?: in the namespace "([^"]*)"| at the cluster scope)?/;

/** The Failure to report for an error of a request; rethrows what is no answer of the server nor a network failure. */
export function explainFailure(err: unknown, doing: Doing, conn: Connection): Failure {
  if (err instanceof HttpError && err.status === 0) return unreachable(err, conn);
  if (!(err instanceof KubeError)) throw err;
  const s = err.status;
  const obj = doing.object;
  const subject = obj ? `${obj.label}${obj.namespace ? ` in namespace ${obj.namespace}` : ''}` : (doing.what ?? err.path);
  const at = obj ? `${where(obj.source)}: ` : '';
  const head = `${at}${doing.action} ${subject}`;

  if (s.code === 401) {
    return {
      message: `${head}: the API server rejected the credentials of ${conn.identity} (401 Unauthorized)`,
      hint:
        conn.mode === 'in-cluster'
          ? 'The service account token was refused: is the pod using the service account you expect, and is the token current?'
          : 'The token or client certificate is wrong or expired, or belongs to another cluster: refresh the secret.',
    };
  }
  if (s.code === 403) {
    const m = FORBIDDEN.exec(s.message);
    if (!m) return { message: `${head}: forbidden: ${s.message}` };
    const [, user, verb, resource, group, namespace] = m;
    const scope = namespace ? `in namespace ${namespace}` : 'at the cluster scope';
    const kindOfRole = namespace ? `a Role in namespace ${namespace}` : 'a ClusterRole';
    const verbs = [...new Set([verb!, ...(verb === 'patch' ? ['create', 'get'] : [])])];
    const rule = `{apiGroups: ["${group}"], resources: ["${resource}"], verbs: [${verbs.map((v) => `"${v}"`).join(', ')}]}`;
    return {
      message: `${head}: ${user} may not ${verb} ${resource}${group ? `.${group}` : ''} ${scope} (403 Forbidden; authenticated with ${conn.identity})`,
      hint: `Add the rule ${rule} to ${kindOfRole} bound to ${user}; see the plugin README for a complete Role.`,
    };
  }
  if (s.code === 404 && /page not found/.test(s.message)) {
    return {
      message: `${head}: the server does not serve this API group (unknown kind)`,
      hint: 'A custom resource needs its CustomResourceDefinition installed first, or included in the manifests.',
    };
  }
  if (s.code === 404 && s.details?.kind === 'namespaces') {
    return {
      message: `${head}: namespace "${s.details.name}" does not exist`,
      hint: 'Create it: add a Namespace manifest, or set create_namespace: true.',
    };
  }
  if (s.code === 409 && s.reason === 'Conflict') {
    const causes = s.details?.causes ?? [];
    const owners = causes.map((c) => `${c.field} is owned by ${(c.message ?? '').replace(/^conflict with /, 'field manager ')}`);
    const field = causes[0]?.field;
    return {
      message: `${obj && field ? `${where(obj.source, field)}: ` : at}${doing.action} ${subject}: conflict: ${owners.join('; ') || s.message}`,
      hint: 'Set force_conflicts: true to take these fields over, or stop setting them in the manifest.',
    };
  }
  const causes = s.details?.causes ?? [];
  const typedPatch = typedPatchProblem(s.message);
  const field = causes.find((c) => c.field)?.field ?? (typedPatch && /^(\S+):/.exec(typedPatch)?.[1]);
  const line = obj && field ? `${where(obj.source, field)}: ` : at;
  let detail = typedPatch ?? s.message;
  if (causes.length > 0 && s.code === 422) detail = causes.map((c) => `${c.field}: ${c.message}`).join('; ');
  // The server quotes the offending value, which in a Secret is the secret.
  if (obj?.label.startsWith('secret/')) detail = detail.replace(/(Invalid value: )("(?:[^"\\]|\\.)*"|\S+)/g, `$1${MASK}`);
  return {
    message: `${line}${doing.action} ${subject}: ${detail}${s.reason ? ` (${s.code} ${s.reason})` : ` (${s.code})`}`,
    hint: /not declared in schema/.test(s.message)
      ? 'A misspelt or misplaced field: the server knows no field of that name there.'
      : /expected string, got/.test(s.message)
        ? 'YAML reads unquoted y, yes, on, no, off as booleans on the server: quote the value.'
        : undefined,
  };
}

/** `explainFailure` as the error to throw. */
export function errorFor(err: unknown, doing: Doing, conn: Connection): PluginError {
  const f = explainFailure(err, doing, conn);
  // A server's message can quote an object; the stack of a network error is what debugging needs.
  return new PluginError(f.message, { hint: f.hint, cause: err instanceof KubeError ? undefined : err });
}

export function failureError(failures: readonly Failure[], what: string): PluginError {
  const hints = [...new Set(failures.map((f) => f.hint).filter(Boolean))];
  const message = failures.length === 1 ? failures[0]!.message : `${failures.length} ${what}:\n  ${failures.map((f) => f.message).join('\n  ')}`;
  // The runner prints "hint: " before the first line only.
  return new PluginError(message, { hint: hints.join('\nhint: ') || undefined });
}

function unreachable(err: HttpError, conn: Connection): Failure {
  const why = err.message.replace(/^\S+ \S+ failed: /, '');
  if (isCertificateError(err)) {
    return {
      message: `the API server ${conn.server}${conn.serverName ? ` (as ${conn.serverName})` : ''} presented a certificate that is not trusted: ${why}`,
      hint:
        conn.mode === 'kubeconfig'
          ? "Put the cluster's CA in the kubeconfig (certificate-authority-data). insecure_skip_tls_verify: true turns checking off, insecurely."
          : "Give the cluster's CA certificate in settings.ca (PEM or base64). insecure_skip_tls_verify: true turns checking off, insecurely.",
    };
  }
  if (isAnswerTooLarge(err)) return { message: `the API server ${conn.server}${conn.proxyUrl ? ` (through the proxy ${conn.proxyUrl})` : ''}: ${why}`, hint: err.hint };
  return {
    message: `cannot reach the API server ${conn.server}${conn.proxyUrl ? ` through the proxy ${conn.proxyUrl}` : ''}: ${why}`,
    hint: 'Check the server address and port, and that the step can reach it (network policy, firewall, proxy settings).',
  };
}
