import { randomBytes } from 'node:crypto';

/** A form field: text, or a file with its name. */
export type FormPart =
  | { readonly name: string; readonly value: string; readonly contentType?: string }
  | { readonly name: string; readonly filename: string; readonly data: Buffer };

/** A multipart/form-data body (RFC 7578), for APIs that take uploads. */
export function formData(parts: readonly FormPart[], boundary = randomBytes(16).toString('hex')): { body: Buffer; contentType: string } {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const file = 'data' in part;
    // A quote or line break in a name would end the header early.
    const quoted = (s: string) => s.replace(/["\r\n]/g, '_');
    const disposition = `form-data; name="${quoted(part.name)}"${file ? `; filename="${quoted(part.filename)}"` : ''}`;
    const type = file ? 'application/octet-stream' : part.contentType;
    chunks.push(Buffer.from(`--${boundary}\r\ncontent-disposition: ${disposition}\r\n${type ? `content-type: ${type}\r\n` : ''}\r\n`));
    chunks.push(file ? part.data : Buffer.from(part.value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
