import { PluginError } from '../../../shared/errors.ts';
import { visitFieldSpec } from './field-spec.ts';
import { REPLICAS } from './field-specs.ts';
import { gvkSelects } from './gvk.ts';
import { currentId } from './resource.ts';
import type { KustomizationFile, Replica, Resource } from './types.ts';

/** kustomize's ReplicaCountTransformer: by the name an object has now or had before. */
export function setReplicas(resources: readonly Resource[], replicas: readonly Replica[], k: KustomizationFile): void {
  for (const replica of replicas) {
    let found = false;
    for (const spec of REPLICAS) {
      for (const r of resources) {
        const ids = [currentId(r), ...r.previous];
        if (!ids.some((id) => id.name === replica.name && gvkSelects(spec, id.apiVersion, id.kind))) continue;
        found = true;
        visitFieldSpec(r.object, spec, 'scalar', (_value, parent, key) => {
          (parent as Record<string, unknown>)[key as string] = replica.count;
        });
      }
    }
    if (!found) throw new PluginError(`${k.file}: replicas: no Deployment, ReplicationController, ReplicaSet or StatefulSet is named ${replica.name}`);
  }
}
