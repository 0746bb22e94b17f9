import { statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { PluginError } from './errors.ts';
import { formatBytes } from './limits.ts';
import { readBoundedFile } from './read-file.ts';

/**
 * A workspace file a step uploads, read whole before anything is sent, so a missing or oversized
 * one fails the step naming the setting and the service's limit, with nothing sent.
 */
export function readUploadFile(shown: string, opts: { workspace: string; setting: string; maxBytes: number; service: string }): Buffer {
  const path = isAbsolute(shown) ? shown : join(opts.workspace, shown);
  const size = statSync(path, { throwIfNoEntry: false })?.size;
  if (size !== undefined && size > opts.maxBytes) {
    throw new PluginError(`settings.${opts.setting}: ${shown} is ${formatBytes(size)}; ${opts.service} takes at most ${formatBytes(opts.maxBytes)} in a file`);
  }
  const data = readBoundedFile(path, { shown, setting: opts.setting, maxBytes: opts.maxBytes });
  if (!data) throw new PluginError(`settings.${opts.setting}: ${shown} does not exist`, { hint: 'Paths are relative to the workspace; an earlier step must have made the file.' });
  return data;
}
