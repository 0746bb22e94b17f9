import { isAbsolute, join } from 'node:path';
import { PluginError } from '../../shared/errors.ts';
import { parseJsonText } from '../../shared/json-text.ts';
import { MAX_SMALL_FILE_BYTES } from '../../shared/limits.ts';
import { readTextFile } from '../../shared/read-file.ts';
import { varsProblem } from './settings.ts';

/** `tpl.*` of the templates: `template_vars`, overridden by `template_vars_file`, as drone-telegram does. */
export function templateVars(inline: unknown, file: string | undefined, workspace: string): Record<string, string> {
  return { ...texts(inline), ...(file ? fromFile(file, workspace) : {}) };
}

function fromFile(file: string, workspace: string): Record<string, string> {
  const setting = 'settings.template_vars_file';
  const text = readTextFile(isAbsolute(file) ? file : join(workspace, file), { shown: file, setting: 'template_vars_file', maxBytes: MAX_SMALL_FILE_BYTES });
  if (text === undefined) throw new PluginError(`${setting}: ${file} does not exist`);
  let value: unknown;
  try {
    value = parseJsonText(text);
  } catch (err) {
    throw new PluginError(`${setting}: ${file} is not JSON (${(err as Error).message})`);
  }
  const problem = varsProblem(value);
  if (problem) throw new PluginError(`${setting}: ${file}: ${problem}`);
  return texts(value);
}

function texts(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, v === null ? '' : String(v)]));
}
