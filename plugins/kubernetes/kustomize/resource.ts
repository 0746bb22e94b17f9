import type { Manifest } from '../manifests.ts';
import { isClusterScoped } from './gvk.ts';
import type { ResId, Resource } from './types.ts';

export function currentId(r: Resource): ResId {
  const { apiVersion, kind, metadata } = r.object;
  return { apiVersion, kind, name: metadata.name ?? '', namespace: metadata.namespace };
}

export function resourceOf({ object, source }: Manifest): Resource {
  return { object, source, origin: currentId({ object } as Resource), previous: [], prefixes: [], suffixes: [], hashSuffix: false };
}

/** Before a rename: references written with an earlier name still find the object. */
export function storePreviousId(r: Resource): void {
  r.previous.push(currentId(r));
}

/** Empty or `default` are one namespace; cluster-scoped objects are in none. */
export function effectiveNamespace(id: ResId): string | undefined {
  return isClusterScoped(id.apiVersion, id.kind) ? undefined : id.namespace || 'default';
}

/** kustomize's ResId equality as a string: one apiVersion, kind, name and namespace (empty and `default` being one). */
export function idKey(id: ResId): string {
  return `${id.apiVersion}|${id.kind}|${effectiveNamespace(id) ?? ''}|${id.name}`;
}

/** `Deployment web in namespace shop`, for messages. */
export function describe(id: ResId): string {
  return `${id.kind} ${id.name}${id.namespace ? ` in namespace ${id.namespace}` : ''}`;
}
