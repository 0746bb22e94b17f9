/**
 * Where a template setting's text comes from, in drone-slack's `contents()` order: an http(s) URL,
 * a `file:` URL, an existing file, or else the setting's value is the template itself.
 */
import { readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { TemplateError } from './template-error.ts';

export interface TemplateSource {
  /** The file path or URL it came from, or `settings.<name>` for inline text. */
  name: string;
  text: string;
}

export interface LoadTemplateOptions {
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
  if (value !== '' && !value.includes('\n') && isFile(resolve(opts.workspace, value))) {
    return { name: value, text: readTemplateFile(resolve(opts.workspace, value), value, setting) };
  }
  return { name: setting, text: value };
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
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new TemplateError(setting, `cannot read template file "${shown}": ${errorText(err)}`, { cause: err });
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
