import type { BuildContext } from '../context/index.ts';
import { PluginError } from '../errors.ts';
import type { HttpClient } from '../http.ts';
import { buildTemplateFields } from '../template/build-fields.ts';
import { templateView } from '../template/context-view.ts';
import type { EscapeMode } from '../template/handlebars.ts';
import { loadTemplateSource } from '../template/source.ts';
import type { Outcome } from './outcome.ts';

/** A template's text and where it came from (a file, a URL, or `settings.<name>`), for errors. */
export interface TemplateText {
  readonly name: string;
  readonly text: string;
}

export type LoadedTemplates<N extends string> = Partial<Record<N, TemplateText>>;

/**
 * The template settings that are set, each read from inline text, a workspace file, a `file://`
 * or an `http(s)://` URL (fetched through the step's client, so its retries and deadline apply).
 */
export async function loadTemplates<N extends string>(
  settings: { readonly [K in N]?: string | undefined },
  names: readonly N[],
  { workspace, http }: { workspace: string; http: HttpClient },
): Promise<LoadedTemplates<N>> {
  const fetchText = async (url: string) => {
    const res = await http.request({ url });
    if (res.status >= 400) throw new PluginError(`fetching the template from ${url} failed: HTTP ${res.status}`);
    return res.text();
  };
  const loaded: LoadedTemplates<N> = {};
  for (const name of names) {
    const value = settings[name];
    if (value) loaded[name] = await loadTemplateSource(value, { workspace, fetchText, settingName: name });
  }
  return loaded;
}

/** The settings that replace the general template for one outcome, in every notifier. */
type OutcomeTemplate = 'template_success' | 'template_failure';

/** A chosen template and the setting it came from, to name in errors about what it renders. */
export interface ChosenTemplate<N extends string> extends TemplateText {
  readonly setting: N;
}

/** `template_success` / `template_failure` for their outcome, else `general`; undefined: the default message. */
export function chooseTemplate<N extends string>(outcome: Outcome, loaded: LoadedTemplates<N | OutcomeTemplate>, general: N): ChosenTemplate<N | OutcomeTemplate> | undefined {
  const specific: OutcomeTemplate | undefined = outcome === 'success' ? 'template_success' : outcome === 'failure' ? 'template_failure' : undefined;
  for (const setting of [specific, general]) {
    const template = setting && loaded[setting];
    if (setting && template) return { ...template, setting };
  }
  return undefined;
}

/** The build under Drone's field names (`build.status`, `repo.owner`, `commit.author.email` ...). */
export function templateContext(build: BuildContext): object {
  return templateView(buildTemplateFields(build)) as object;
}

/**
 * A template rendered with the drone-template-lib helpers. Handlebars is imported here, so a step
 * that sends its default message never loads it (~20 ms of start-up).
 */
export async function renderNotify(source: string, build: BuildContext, opts: { name: string; escape?: EscapeMode }): Promise<string> {
  const { renderTemplate } = await import('../template/handlebars.ts');
  return renderTemplate(source, templateContext(build), opts);
}

/** A template rendered in place, still naming where it came from; none stays none (the default message). */
export async function renderChosen<T extends TemplateText>(template: T | undefined, build: BuildContext, escaping: EscapeMode): Promise<T | undefined> {
  return template && { ...template, text: await renderNotify(template.text, build, { name: template.name, escape: escaping }) };
}
