import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { basename, isAbsolute, join } from 'node:path';
import { PluginError } from '../../shared/errors.ts';
import { formatBytes } from '../../shared/limits.ts';
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

/** The multipart/form-data body Discord reads an upload from: `payload_json` and `files[0]`. */
export function multipart(payload: object, upload: Upload, boundary = randomBytes(16).toString('hex')): { body: Buffer; contentType: string } {
  const name = basename(upload.shown).replace(/["\r\n]/g, '_');
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="payload_json"\r\ncontent-type: application/json\r\n\r\n${JSON.stringify(payload)}\r\n`),
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="files[0]"; filename="${name}"\r\ncontent-type: application/octet-stream\r\n\r\n`),
    upload.data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}
