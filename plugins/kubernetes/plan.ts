/**
 * Pure planning: manifests + settings + what discovery said about their kinds -> the objects to
 * apply, in order, with their URLs, and what to wait for. No I/O.
 */
import { PluginError } from '../../shared/errors.ts';
import type { KubeObject, Manifest, Source } from './manifests.ts';
import { objectPath } from './api-path.ts';
import { where } from './source-line.ts';

export interface Scope {
  /** The plural resource name used in URLs. */
  readonly name: string;
  readonly namespaced: boolean;
}

type Phase = 'namespace' | 'crd' | 'cluster' | 'namespaced';
export const PHASES: readonly Phase[] = ['namespace', 'crd', 'cluster', 'namespaced'];

export interface Planned {
  readonly object: KubeObject;
  readonly source: Source;
  readonly group: string;
  readonly resource: string;
  readonly namespace: string | undefined;
  readonly phase: Phase;
  /** kubectl's spelling: `deployment.apps/web`, `configmap/app-config`. */
  readonly label: string;
  /** The object's URL without query. */
  readonly path: string;
  /** The namespace or CRD of this same apply the object needs before a dry run can pass. */
  readonly needs: { readonly namespace?: string; readonly crd?: string };
}

export interface Plan {
  readonly objects: readonly Planned[];
  /** Rollouts and Jobs to wait for. */
  readonly waits: readonly Planned[];
}

interface PlanInput {
  readonly manifests: readonly Manifest[];
  /** Discovery's answer per `apiVersion/kind`; undefined when the server does not serve it. */
  readonly scopes: ReadonlyMap<string, Scope | undefined>;
  readonly namespace: string;
  /** The namespace was set explicitly: objects may not name another one unless allowed. */
  readonly namespaceGiven: boolean;
  /** What set it, for messages: `settings.namespace` unless an environment or a preview did. */
  readonly namespaceSetBy?: string;
  readonly createNamespace: boolean;
  readonly allowNamespaceOverride: boolean;
  /** The restartedAt timestamp to stamp on workloads, when restarting. */
  readonly restartAt: string | undefined;
}

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
const ROLLOUT_KINDS = new Set(['apps/Deployment', 'apps/StatefulSet', 'apps/DaemonSet']);
const WAIT_KINDS = new Set([...ROLLOUT_KINDS, 'batch/Job']);
const CRD = 'apiextensions.k8s.io/CustomResourceDefinition';
// create_namespace adds a Namespace that discovery was not asked about.
const NAMESPACES: Scope = { name: 'namespaces', namespaced: false };

export function scopeKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

function groupOf(apiVersion: string): string {
  return apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
}

export function labelOf(kind: string, group: string, name: string): string {
  return `${kind.toLowerCase()}${group ? `.${group}` : ''}/${name}`;
}

/** One object of a cluster: what two manifests may not both define, and what prune keeps. */
export function objectKey(group: string, kind: string, namespace: string | undefined, name: string): string {
  return `${group}/${kind}/${namespace ?? ''}/${name}`;
}

/** Kinds that CRDs of this apply define, by `apiVersion/kind`, for kinds discovery cannot know yet. */
export function kindsDefinedBy(manifests: readonly Manifest[]): Map<string, Scope & { crd: string }> {
  const out = new Map<string, Scope & { crd: string }>();
  for (const { object } of manifests) {
    if (scopeKey(groupOf(object.apiVersion), object.kind) !== CRD) continue;
    const spec = object.spec as { group?: string; scope?: string; names?: { kind?: string; plural?: string }; versions?: Array<{ name?: string; served?: boolean }> } | undefined;
    if (!spec?.group || !spec.names?.kind || !spec.names.plural) continue;
    for (const v of spec.versions ?? []) {
      if (v.name && v.served !== false) {
        out.set(scopeKey(`${spec.group}/${v.name}`, spec.names.kind), {
          name: spec.names.plural,
          namespaced: spec.scope !== 'Cluster',
          crd: object.metadata.name!,
        });
      }
    }
  }
  return out;
}

export function plan(input: PlanInput): Plan {
  const problems: string[] = [];
  const defined = kindsDefinedBy(input.manifests);
  const manifests = [...input.manifests];
  const declaresNamespace = (ns: string) => manifests.some((m) => m.object.kind === 'Namespace' && m.object.apiVersion === 'v1' && m.object.metadata.name === ns);
  if (input.createNamespace && !declaresNamespace(input.namespace)) {
    manifests.unshift({
      object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: input.namespace } },
      source: { file: 'settings.create_namespace', line: 0, text: '' },
    });
  }

  const seen = new Map<string, Source>();
  const planned: Planned[] = [];
  for (const m of manifests) {
    const { object, source } = m;
    const at = where(source);
    const key = scopeKey(object.apiVersion, object.kind);
    const fromCrd = defined.get(key);
    const scope = input.scopes.get(key) ?? fromCrd ?? (key === 'v1/Namespace' ? NAMESPACES : undefined);
    if (!scope) {
      problems.push(`${at}: unknown kind ${object.kind} (apiVersion ${object.apiVersion}): the server does not serve it and no CustomResourceDefinition in the manifests defines it`);
      continue;
    }
    const group = groupOf(object.apiVersion);
    const label = labelOf(object.kind, group, object.metadata.name!);
    // Cluster-scoped objects have none, whatever the manifest says (kubectl ignores it too).
    const namespace = scope.namespaced ? (object.metadata.namespace ?? input.namespace) : undefined;
    if (namespace && namespace !== input.namespace && input.namespaceGiven && !input.allowNamespaceOverride) {
      problems.push(`${where(source, 'metadata.namespace')}: ${label} names namespace "${namespace}", but ${input.namespaceSetBy ?? 'settings.namespace'} is "${input.namespace}"`);
      continue;
    }
    const identity = objectKey(group, object.kind, namespace, object.metadata.name!);
    const earlier = seen.get(identity);
    if (earlier) {
      problems.push(`${at}: ${label}${namespace ? ` in namespace ${namespace}` : ''} is also defined at ${where(earlier)}`);
      continue;
    }
    seen.set(identity, source);
    const body = withNamespace(object, namespace);
    if (input.restartAt && ROLLOUT_KINDS.has(`${group}/${object.kind}`)) stampRestart(body, input.restartAt);
    const phase: Phase = key === 'v1/Namespace' ? 'namespace' : `${group}/${object.kind}` === CRD ? 'crd' : scope.namespaced ? 'namespaced' : 'cluster';
    planned.push({
      object: body,
      source,
      group,
      resource: scope.name,
      namespace,
      phase,
      label,
      path: objectPath(object.apiVersion, scope.name, namespace, object.metadata.name),
      needs: {
        namespace: namespace && declaresNamespace(namespace) ? namespace : undefined,
        crd: input.scopes.get(key) ? undefined : fromCrd?.crd,
      },
    });
  }
  if (problems.length > 0) {
    throw new PluginError(problems.length === 1 ? problems[0]! : `${problems.length} manifests are wrong:\n  ${problems.join('\n  ')}`, {
      hint: problems.some((p) => p.includes(`but ${input.namespaceSetBy ?? 'settings.namespace'} is`))
        ? 'Remove metadata.namespace from the manifest, or set allow_namespace_override: true.'
        : problems.some((p) => p.includes('unknown kind'))
          ? 'Check apiVersion and kind for typos; a custom resource needs its CustomResourceDefinition installed first or included in the manifests.'
          : undefined,
    });
  }
  const objects = PHASES.flatMap((phase) => planned.filter((p) => p.phase === phase));
  return {
    objects,
    waits: objects.filter((o) => WAIT_KINDS.has(`${o.group}/${o.object.kind}`)),
  };
}

/** A copy with metadata.namespace as the URL has it, so the server sees the two agree. */
function withNamespace(object: KubeObject, namespace: string | undefined): KubeObject {
  const copy = structuredClone(object);
  if (namespace) copy.metadata.namespace = namespace;
  else delete copy.metadata.namespace;
  return copy;
}

function stampRestart(body: KubeObject, at: string): void {
  const child = (parent: Record<string, unknown>, key: string) => {
    parent[key] ??= {};
    return parent[key] as Record<string, unknown>;
  };
  const md = child(child(child(body, 'spec'), 'template'), 'metadata');
  md.annotations = { ...(md.annotations as Record<string, string> | undefined), [RESTARTED_AT]: at };
}
