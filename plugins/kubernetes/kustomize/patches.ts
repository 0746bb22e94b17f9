import { notYetSupported } from './not-yet.ts';
import type { KustomizationFile, Loader, Resource } from './types.ts';

export type PatchField = 'patchesStrategicMerge' | 'patches' | 'patchesJson6902';

/**
 * One patch field of `k` applied to `resources`, at its place in kustomize's order
 * (patchesStrategicMerge, patches, ... patchesJson6902 after labels and annotations).
 * Called only when `k` has the field.
 */
export function applyPatches(_resources: Resource[], k: KustomizationFile, _loader: Loader, field: PatchField): Resource[] {
  throw notYetSupported(k, field);
}
