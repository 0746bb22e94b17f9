import { existsSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { PluginError } from '../../shared/errors.ts';
import type { PluginInput } from '../../shared/plugin.ts';
import { KUSTOMIZATION_FILE_NAMES, kustomizationFileIn } from './kustomize/loader.ts';
import type { Manifest } from './manifests.ts';
import { renderManifestWith } from './render.ts';
import type { Settings } from './settings.ts';

/** Whether a `manifests` entry is a directory holding a kustomization, to be built rather than listed. */
export function isKustomizationDir(entry: string, workspace: string): boolean {
  const dir = isAbsolute(entry) ? entry : join(workspace, entry);
  return existsSync(dir) && statSync(dir).isDirectory() && kustomizationFileIn(dir, entry) !== undefined;
}

/** A kustomization file found by searching a directory above it is a mistake: its directory should have been named. */
export function refuseKustomizationFiles(files: readonly string[]): void {
  const found = files.find((f) => KUSTOMIZATION_FILE_NAMES.includes(basename(f) as (typeof KUSTOMIZATION_FILE_NAMES)[number]));
  if (found) {
    throw new PluginError(`settings.manifests: ${found} is a kustomization, found in a directory above it`, {
      hint: `Name the kustomization's directory instead (kustomize: ${dirname(found)}): it is built, not applied as a manifest.`,
    });
  }
}

/**
 * The objects the kustomization in `dir` builds. Each file is rendered first (`${VAR}`, then
 * Handlebars), as a plain manifest is; then the kustomization is built from the rendered files.
 */
export async function kustomizedManifests(dir: string, { settings: s, build, env, registerSecrets, log }: PluginInput<Settings>): Promise<Manifest[]> {
  const abs = isAbsolute(dir) ? dir : join(build.workspace, dir);
  if (!isKustomizationDir(dir, build.workspace)) {
    throw new PluginError(`settings.kustomize: ${dir} ${existsSync(abs) ? 'holds no kustomization.yaml, kustomization.yml or Kustomization' : 'does not exist'} (in ${build.workspace})`, {
      hint: 'Name the directory of the overlay to build, relative to the workspace: deploy/overlays/production.',
    });
  }
  // Loaded only for a step that builds a kustomization: a plain apply starts without them.
  const [{ buildKustomization }, { renderTemplate }] = await Promise.all([import('./kustomize/build.ts'), import('../../shared/template/handlebars.ts')]);
  const input = { vars: s.vars, env, build, registerSecrets };
  return buildKustomization(abs, {
    workspace: build.workspace,
    restrictor: s.load_restrictor === 'none' || s.load_restrictor === 'LoadRestrictionsNone' ? 'none' : 'rootOnly',
    render: (text, shown) => renderManifestWith(renderTemplate, { name: shown, text, json: /\.json$/i.test(shown) }, input).text,
    warn: (message) => log.warn(message),
  });
}
