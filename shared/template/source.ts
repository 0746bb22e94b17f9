/**
 * Where a template setting's text comes from, in drone-slack's `contents()` order: an http(s) URL,
 * a `file:` URL, an existing file, or else the setting's value is the template itself.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { isPluginError } from '../errors.ts';
import { MAX_INPUT_FILE_BYTES } from '../limits.ts';
import { readTextFile } from '../read-file.ts';
import { TemplateError } from './template-error.ts';

interface TemplateSource {
  /** The file path or URL it came from, or `settings.<name>` for inline text. */
  name: string;
  text: string;
}

interface LoadTemplateOptions {
  /** Relative paths are resolved here (drone-slack relies on the step's working directory). */
  workspace: string;
  /** Fetches an http(s) template; the caller's HTTP client brings timeouts and retries. */
  fetchText?: (url: string) => Promise<string>;
  settingName: string;
}

export async function loadTemplateSource(value: string, opts: LoadTemplateOptions): Promise<TemplateSource> {
  const setting = `settings.${opts.settingName}`;
  if (/^https?:\/\//i.test(value)) {
    if (!opts.fetchText) throw new TemplateError(setting, `cannot fetch ${value}: no HTTP client was given`);
    try {
      return { name: value, text: await opts.fetchText(value) };
    } catch (err) {
      throw new TemplateError(setting, `cannot fetch ${value}: ${errorText(err)}`, { cause: err });
    }
  }
  if (/^file:/i.test(value)) {
    // "file:///abs", "file:/abs" and "file://relative" all name a path.
    const path = value.slice('file:'.length).replace(/^\/\//, '');
    return { name: path, text: readTemplateFile(resolve(opts.workspace, path), path, setting) };
  }
  // A multi-line value is a template, never a path; skip the file system for it.
  if (value !== '' && !value.includes('\n') && (looksLikePath(value) || isFile(resolve(opts.workspace, value)))) {
    return { name: value, text: readTemplateFile(resolve(opts.workspace, value), value, setting) };
  }
  return { name: setting, text: value };
}

/**
 * A value with no `{{`, no spaces and a `/` or a file extension is a path whose file is missing
 * far more often than a message: posting "templates/deploy.hbs" to the channel helps nobody.
 */
function looksLikePath(value: string): boolean {
  return !value.includes('{{') && !/\s/.test(value) && (value.includes('/') || /\.[A-Za-z][A-Za-z0-9]{0,7}$/.test(value));
}

// Synchronous on purpose: a template is one small file, and node:fs/promises would cost every
// plugin's start-up the loading of its module graph.
function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function readTemplateFile(path: string, shown: string, setting: string): string {
  let text: string | undefined;
  try {
    text = readTextFile(path, { shown, maxBytes: MAX_INPUT_FILE_BYTES });
  } catch (err) {
    // Already names the file (and line), with a hint.
    if (isPluginError(err)) throw new TemplateError(setting, err.message, { cause: err, hint: err.hint });
    throw new TemplateError(setting, `cannot read template file "${shown}": ${errorText(err)}`, { cause: err });
  }
  if (text === undefined) {
    throw new TemplateError(setting, `the template file "${shown}" does not exist`, {
      hint: 'Paths are relative to the workspace. A one-word message that looks like a path belongs in settings.message.',
    });
  }
  return text;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
