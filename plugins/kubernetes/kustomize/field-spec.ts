import type { KubeObject } from '../manifests.ts';
import { gvkSelects } from './gvk.ts';
import type { FieldSpec } from './types.ts';

type Container = Record<string, unknown> | unknown[];

/** Called with the node a field spec leads to, and where it sits so a scalar can be replaced. */
export type SetValue = (value: unknown, parent: Container, key: string | number) => void;

/** What a missing last field is created as, when the spec says `create`. */
export type CreateKind = 'map' | 'scalar';

/**
 * kustomize's fieldspec filter: follows `spec.path` through `object` (when the spec selects its kind),
 * stepping into every item of a list on the way, creating missing fields when the spec says `create`,
 * and calls `set` on each node found.
 */
export function visitFieldSpec(object: KubeObject, spec: FieldSpec, createKind: CreateKind | undefined, set: SetValue): void {
  if (!gvkSelects(spec, object.apiVersion, object.kind)) return;
  walk(object, splitPath(spec.path), spec.create === true ? createKind : undefined, set, undefined, '');
}

/** `metadata/annotations/nginx.ingress.kubernetes.io\/auth-secret`: a `\/` is part of a field's name. */
export function splitPath(path: string): string[] {
  return path.split(/(?<!\\)\//).map((s) => s.replaceAll('\\/', '/'));
}

function walk(node: unknown, path: readonly string[], create: CreateKind | undefined, set: SetValue, parent: Container | undefined, key: string | number): void {
  if (path.length === 0) {
    if (parent) set(node, parent, key);
    return;
  }
  if (Array.isArray(node)) {
    node.forEach((item, i) => {
      walk(item, path, create, set, node, i);
    });
    return;
  }
  if (!isMap(node)) return;
  const [segment, ...rest] = path as [string, ...string[]];
  const isList = segment.endsWith('[]');
  const name = isList ? segment.slice(0, -2) : segment;
  let child = node[name];
  if (child === undefined || child === null) {
    if (!create || isList) return;
    child = rest.length > 0 || create === 'map' ? {} : '';
    node[name] = child;
  }
  walk(child, rest, create, set, node, name);
}

export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
