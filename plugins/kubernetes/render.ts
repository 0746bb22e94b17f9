import type { BuildContext } from '../../shared/context/index.ts';
import { buildTemplateFields } from '../../shared/template/build-fields.ts';
import type { Render } from '../../shared/template/handlebars.ts';
import { substitute } from '../../shared/template/substitute.ts';
import { type ManifestText, secretLinesOf } from './manifests.ts';

export interface RenderInput {
  readonly vars: Readonly<Record<string, string>>;
  readonly env: NodeJS.ProcessEnv;
  readonly build: BuildContext;
  readonly registerSecrets: (secrets: Iterable<string>) => void;
}

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
  const input = { vars, env, build, registerSecrets };
  const text = substituteVars(m, input);
  // Handlebars is loaded only for manifests that use it: it is a large part of a cold start.
  if (!text.includes('{{')) return { ...m, text };
  const { renderTemplate } = await import('../../shared/template/handlebars.ts');
  return { ...m, text: renderHandlebars(text, m.name, input, renderTemplate) };
}

/** `renderManifest` for a caller that cannot wait (the kustomize loader), Handlebars loaded beforehand. */
export function renderManifestWith(renderTemplate: Render, m: ManifestText, input: RenderInput): ManifestText {
  const text = substituteVars(m, input);
  return { ...m, text: text.includes('{{') ? renderHandlebars(text, m.name, input, renderTemplate) : text };
}

function substituteVars(m: ManifestText, { vars, env, registerSecrets }: RenderInput): string {
  const lookup = (name: string) => (Object.hasOwn(vars, name) ? vars[name] : env[name]);
  const text = substitute(m.text, lookup, { name: m.name, strict: true });
  registerSecrets(secretLinesOf(text));
  return text;
}

function renderHandlebars(text: string, name: string, { vars, build }: RenderInput, renderTemplate: Render): string {
  const context = { ...buildTemplateFields(build), ...vars, vars };
  const lead = /^\n*/.exec(text)![0];
  return lead + renderTemplate(text, context, { name, escape: 'none', strict: true }) + '\n';
}
