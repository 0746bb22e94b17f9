import { PluginError } from '../../../shared/errors.ts';
import { isMap, visitFieldSpec } from './field-spec.ts';
import { NAME_REFERENCES } from './field-specs.ts';
import { type Gvk, gvkSelects, isClusterScoped } from './gvk.ts';
import { currentId, describe, effectiveNamespace } from './resource.ts';
import type { FieldSpec, ResId, Resource } from './types.ts';

/**
 * kustomize's name reference transformer (FixBackReferences), run once at the end of a build:
 * where an object names another (a ConfigMap in a Deployment, a ServiceAccount in a RoleBinding)
 * by a name that object had before a prefix, suffix, namespace or hash changed it, the reference
 * is rewritten to its name now.
 */
export function fixNameReferences(resources: readonly Resource[], file: string): void {
  // Only an object renamed in the build can be a referral: indexed by its earlier names, in build order.
  const byEarlierName = new Map<string, Resource[]>();
  for (const r of resources) {
    for (const name of new Set(r.previous.map((id) => id.name))) byEarlierName.set(name, [...(byEarlierName.get(name) ?? []), r]);
  }
  for (const referrer of resources) {
    const referable = canReferTo(referrer);
    let all: Resource[] | undefined;
    for (const { target, referrers } of NAME_REFERENCES) {
      for (const spec of referrers) {
        if (!gvkSelects(spec, referrer.origin.apiVersion, referrer.origin.kind)) continue;
        const ref: Reference = {
          referrer,
          spec,
          target,
          file,
          named: (name) => (byEarlierName.get(name) ?? []).filter(referable),
          // A {name, namespace} reference chooses by namespace among every object it may refer to.
          all: () => {
            all ??= resources.filter(referable);
            return all;
          },
        };
        visitFieldSpec(referrer.object, spec, undefined, (value, parent, key) => rewrite(ref, value, parent, key));
      }
    }
  }
}

interface Reference {
  readonly referrer: Resource;
  readonly spec: FieldSpec;
  readonly target: Gvk;
  readonly file: string;
  /** The objects the referrer may refer to that once had this name. */
  readonly named: (name: string) => Resource[];
  readonly all: () => readonly Resource[];
}

type Container = Record<string, unknown> | unknown[];

function rewrite(ref: Reference, value: unknown, parent: Container, key: string | number): void {
  if (typeof value === 'string') rewriteName(ref, value, parent, key);
  else if (isMap(value)) rewriteMapping(ref, value);
  else if (Array.isArray(value)) {
    value.forEach((item, i) => {
      if (typeof item === 'string') rewriteName(ref, item, value, i);
      else if (isMap(item)) rewriteMapping(ref, item);
    });
  }
}

function rewriteName(ref: Reference, name: string, parent: Container, key: string | number): void {
  const referral = select(ref, name, ref.named(name), (a, b) => a.name === b.name);
  if (referral) (parent as Record<string | number, unknown>)[key] = currentId(referral).name;
}

/** A `{name, namespace}` reference (RBAC subjects, webhook services): both are taken from the referral. */
function rewriteMapping(ref: Reference, node: Record<string, unknown>): void {
  if (typeof node.name !== 'string') {
    throw new PluginError(`${ref.file}: ${describe(currentId(ref.referrer))}: ${ref.spec.path} has no name`);
  }
  const oldName = node.name;
  let candidates = ref.all();
  if (typeof node.namespace === 'string') {
    const ns = node.namespace;
    const byOrigin = candidates.filter((c) => effectiveNamespace(c.origin) === ns);
    candidates = byOrigin.length > 0 ? byOrigin : candidates.filter((c) => effectiveNamespace(currentId(c)) === ns);
  }
  const referral = select(ref, oldName, candidates, (a, b) => a.name === b.name && a.namespace === b.namespace);
  if (!referral) return;
  const id = currentId(referral);
  if (id.name === oldName && !id.namespace) return;
  node.name = id.name;
  if (id.namespace) node.namespace = id.namespace;
}

function select(ref: Reference, oldName: string, all: readonly Resource[], same: (a: ResId, b: ResId) => boolean): Resource | undefined {
  const roleRef = ref.spec.path.endsWith('roleRef/name') ? roleRefGvk(ref.referrer) : undefined;
  const referrerId = currentId(ref.referrer);
  const referrerNs = effectiveNamespace(referrerId);
  let candidates = all.filter(
    (c) =>
      c.previous.some((id) => id.name === oldName) &&
      c.previous.some((id) => gvkSelects(ref.target, id.apiVersion, id.kind)) &&
      (!roleRef || c.previous.some((id) => gvkSelects(roleRef, id.apiVersion, id.kind))) &&
      (referrerNs === undefined || effectiveNamespace(currentId(c)) === undefined || c.object.kind === 'ServiceAccount' || effectiveNamespace(currentId(c)) === referrerNs),
  );
  if (candidates.length === 1) return candidates[0];
  candidates = candidates.filter((c) => sameEnding(c.prefixes, ref.referrer.prefixes) && sameEnding(c.suffixes, ref.referrer.suffixes));
  if (candidates.length <= 1) return candidates[0];
  const first = currentId(candidates[0]!);
  if (candidates.every((c) => same(currentId(c), first))) return candidates[0];
  throw new PluginError(
    `${ref.file}: ${describe(referrerId)} refers to ${oldName} at ${ref.spec.path}, which could be any of: ${candidates.map((c) => describe(currentId(c))).join(', ')}`,
  );
}

function roleRefGvk(referrer: Resource): Gvk | undefined {
  const roleRef = referrer.object.roleRef;
  if (!isMap(roleRef) || typeof roleRef.apiGroup !== 'string' || typeof roleRef.kind !== 'string') return undefined;
  return { group: roleRef.apiGroup, kind: roleRef.kind };
}

/** Whether `referrer` may refer to an object: one cluster-scoped, in its namespace, or in its RBAC subjects' namespaces. */
function canReferTo(referrer: Resource): (r: Resource) => boolean {
  const id = currentId(referrer);
  if (isClusterScoped(id.apiVersion, id.kind)) return () => true;
  const ns = effectiveNamespace(id);
  const subjectNamespaces = new Set<string>();
  if (id.kind === 'RoleBinding' && Array.isArray(referrer.object.subjects)) {
    for (const s of referrer.object.subjects) if (isMap(s) && s.kind === 'ServiceAccount' && typeof s.namespace === 'string') subjectNamespaces.add(s.namespace);
  }
  return (r) => {
    const rid = currentId(r);
    const rns = effectiveNamespace(rid);
    return rns === undefined || rns === ns || subjectNamespaces.has(rid.namespace ?? '');
  };
}

/** kustomize's SameEndingSubSlice: the shorter list ends the longer one; an empty list only matches an empty one. */
function sameEnding(a: readonly string[], b: readonly string[]): boolean {
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length === 0) return long.length === 0;
  const diff = long.length - short.length;
  return short.every((s, i) => long[i + diff] === s);
}
