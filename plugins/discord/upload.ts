import { basename } from 'node:path';
import type { FormPart } from '../../shared/multipart.ts';
import { readUploadFile } from '../../shared/upload-file.ts';

/** What Discord takes in one file from a webhook of a server without boosts. */
const MAX_UPLOAD_BYTES = 10 * 1024 * 1024;

export interface Upload {
  /** The path as written in `file`. */
  readonly shown: string;
  readonly data: Buffer;
}

/** Every file of `file`, read before anything is sent, so a missing one sends nothing. */
export function readUploads(files: readonly string[], workspace: string): Upload[] {
  return files.map((shown) => ({ shown, data: readUploadFile(shown, { workspace, setting: 'file', maxBytes: MAX_UPLOAD_BYTES, service: 'Discord' }) }));
}

/** The form Discord reads an upload from: `payload_json` and `files[0]`. */
export function uploadParts(payload: object, upload: Upload): FormPart[] {
  return [
    { name: 'payload_json', value: JSON.stringify(payload), contentType: 'application/json' },
    { name: 'files[0]', filename: basename(upload.shown), data: upload.data },
  ];
}
