import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { PluginInput } from '../../shared/plugin.ts';
import { kustomizationFileIn } from './kustomize/loader.ts';
import type { Manifest } from './manifests.ts';
import { renderManifestWith } from './render.ts';
import type { Settings } from './settings.ts';

/** Whether a `manifests` entry is a directory holding a kustomization, to be built rather than listed. */
export function isKustomizationDir(entry: string, workspace: string): boolean {
  const dir = isAbsolute(entry) ? entry : join(workspace, entry);
  return existsSync(dir) && statSync(dir).isDirectory() && kustomizationFileIn(dir) !== undefined;
}

/**
 * The objects the kustomization in `dir` builds. Each file is rendered first (`${VAR}`, then
 * Handlebars), as a plain manifest is; then the kustomization is built from the rendered files.
 */
export async function kustomizedManifests(dir: string, { settings: s, build, env, registerSecrets }: PluginInput<Settings>): Promise<Manifest[]> {
  // Loaded only for a step that builds a kustomization: a plain apply starts without them.
  const [{ buildKustomization }, { renderTemplate }] = await Promise.all([import('./kustomize/build.ts'), import('../../shared/template/handlebars.ts')]);
  const input = { vars: s.vars, env, build, registerSecrets };
  return buildKustomization(isAbsolute(dir) ? dir : join(build.workspace, dir), {
    workspace: build.workspace,
    restrictor: s.load_restrictor,
    render: (text, shown) => renderManifestWith(renderTemplate, { name: shown, text, json: /\.json$/i.test(shown) }, input).text,
  });
}
