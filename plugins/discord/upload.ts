import { statSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { PluginError } from '../../shared/errors.ts';
import { formatBytes } from '../../shared/limits.ts';
import type { FormPart } from '../../shared/multipart.ts';
import { readBoundedFile } from '../../shared/read-file.ts';

/** What Discord takes in one file from a webhook of a server without boosts. */
export const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export interface Upload {
  /** The path as written in `file`. */
  readonly shown: string;
  readonly data: Buffer;
}

/** Every file of `file`, read before anything is sent, so a missing one sends nothing. */
export function readUploads(files: readonly string[], workspace: string): Upload[] {
  return files.map((shown) => {
    const path = isAbsolute(shown) ? shown : join(workspace, shown);
    const size = statSync(path, { throwIfNoEntry: false })?.size;
    if (size !== undefined && size > MAX_UPLOAD_BYTES) {
      throw new PluginError(`settings.file: ${shown} is ${formatBytes(size)}; Discord takes at most ${formatBytes(MAX_UPLOAD_BYTES)} in a file from a webhook`);
    }
    const data = readBoundedFile(path, { shown, setting: 'file', maxBytes: MAX_UPLOAD_BYTES });
    if (!data) throw new PluginError(`settings.file: ${shown} does not exist`, { hint: 'Paths are relative to the workspace; an earlier step must have made the file.' });
    return { shown, data };
  });
}

/** The form Discord reads an upload from: `payload_json` and `files[0]`. */
export function uploadParts(payload: object, upload: Upload): FormPart[] {
  return [
    { name: 'payload_json', value: JSON.stringify(payload), contentType: 'application/json' },
    { name: 'files[0]', filename: basename(upload.shown), data: upload.data },
  ];
}
