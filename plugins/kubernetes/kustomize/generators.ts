import type { KubeObject } from '../manifests.ts';
import { notYetSupported } from './not-yet.ts';
import type { KustomizationFile, Loader, Resource } from './types.ts';

/**
 * `resources` with the objects of `k`'s configMapGenerator and secretGenerator (generatorOptions
 * merged in) added, or merged into or replacing those of a base as their `behavior` says.
 * Called only when `k` has either generator.
 */
export function generate(_resources: Resource[], k: KustomizationFile, _loader: Loader): Resource[] {
  throw notYetSupported(k, k.kustomization.configMapGenerator ? 'configMapGenerator' : 'secretGenerator');
}

/** The suffix kustomize appends to a generated ConfigMap's or Secret's name: a hash of its content. */
export function nameHash(_object: KubeObject): string {
  throw new Error('nameHash is not yet supported');
}
