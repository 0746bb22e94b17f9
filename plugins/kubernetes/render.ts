import type { BuildContext } from '../../shared/context/index.ts';
import { buildTemplateFields } from '../../shared/template/build-fields.ts';
import { substitute } from '../../shared/template/substitute.ts';
import { type ManifestText, secretLinesOf } from './manifests.ts';

/**
 * `${VAR}` from `vars` and the environment, then Handlebars with the build and `vars`, both strict:
 * a missing variable fails with the file and line rather than deploying an empty value.
 */
export async function renderManifest(
  m: ManifestText,
  vars: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv,
  build: BuildContext,
  registerSecrets: (secrets: Iterable<string>) => void,
): Promise<ManifestText> {
  const lookup = (name: string) => (Object.hasOwn(vars, name) ? vars[name] : env[name]);
  let text = substitute(m.text, lookup, { name: m.name, strict: true });
  registerSecrets(secretLinesOf(text));
  if (text.includes('{{')) {
    // Handlebars is loaded only for manifests that use it: it is a large part of a cold start.
    const { renderTemplate } = await import('../../shared/template/handlebars.ts');
    const context = { ...buildTemplateFields(build), ...vars, vars };
    const lead = /^\n*/.exec(text)![0];
    text = lead + renderTemplate(text, context, { name: m.name, escape: 'none', strict: true }) + '\n';
  }
  return { ...m, text };
}
