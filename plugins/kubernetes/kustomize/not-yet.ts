import { PluginError } from '../../../shared/errors.ts';
import type { KustomizationFile } from './types.ts';

/** For a kustomization field whose transformer is not in this build yet. */
export function notYetSupported(k: KustomizationFile, field: string): PluginError {
  return new PluginError(`${k.file}: ${field} is not yet supported`, {
    hint: 'Build this kustomization with `kubectl kustomize` in an earlier step and hand its output to settings.manifests.',
  });
}
