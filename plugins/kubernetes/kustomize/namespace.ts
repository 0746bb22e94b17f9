import { PluginError } from '../../../shared/errors.ts';
import { visitFieldSpec } from './field-spec.ts';
import { isClusterScoped } from './gvk.ts';
import { currentId, describe, idKey, storePreviousId } from './resource.ts';
import type { FieldSpec, KustomizationFile, Resource } from './types.ts';

// metadata/namespace and RoleBinding subjects are handled in code, as kustomize does.
const NAMESPACE_FIELDS: readonly FieldSpec[] = [
  { path: 'metadata/name', kind: 'Namespace', create: true },
  { path: 'spec/service/namespace', group: 'apiregistration.k8s.io', kind: 'APIService', create: true },
];

/**
 * kustomize's NamespaceTransformer: every namespaced object moves to `namespace`, a Namespace
 * object takes its name, and RoleBinding subjects named `default` follow.
 */
export function setNamespace(resources: readonly Resource[], namespace: string, k: KustomizationFile): void {
  for (const r of resources) {
    storePreviousId(r);
    const o = r.object;
    if (!isClusterScoped(o.apiVersion, o.kind)) o.metadata.namespace = namespace;
    if ((o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') && Array.isArray(o.subjects)) {
      for (const subject of o.subjects as Record<string, unknown>[]) if (subject?.name === 'default') subject.namespace = namespace;
    }
    for (const spec of NAMESPACE_FIELDS) {
      visitFieldSpec(o, spec, 'scalar', (_value, parent, key) => {
        (parent as Record<string, unknown>)[key as string] = namespace;
      });
    }
  }
  const seen = new Set<string>();
  for (const r of resources) {
    const id = currentId(r);
    if (seen.has(idKey(id))) throw new PluginError(`${k.file}: namespace: ${namespace} makes two objects the same ${describe(id)}`);
    seen.add(idKey(id));
  }
}
