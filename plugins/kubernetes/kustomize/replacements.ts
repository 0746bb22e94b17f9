import { notYetSupported } from './not-yet.ts';
import type { KustomizationFile, Loader, Resource } from './types.ts';

/** `k`'s replacements applied to `resources`, the last of its transformers. Called only when `k` has some. */
export function applyReplacements(_resources: Resource[], k: KustomizationFile, _loader: Loader): Resource[] {
  throw notYetSupported(k, 'replacements');
}
