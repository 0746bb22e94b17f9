import { closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { PluginError } from './errors.ts';
import { formatBytes } from './limits.ts';

/** How a file is named in errors: the path as the user wrote it, and the setting that gave it. */
interface FileLabel {
  /** The path as the user wrote it (relative to the workspace when it was). */
  readonly shown: string;
  /** The setting that names it, without `settings.`, when a setting does. */
  readonly setting?: string | undefined;
  readonly maxBytes: number;
}

/**
 * A whole file, refused before reading when it is not a regular file (a directory, a FIFO that
 * would block forever, a device that never ends) or is larger than `maxBytes`. Undefined when it
 * does not exist.
 */
export function readBoundedFile(path: string, label: FileLabel): Buffer | undefined {
  const prefix = label.setting ? `settings.${label.setting}: ` : '';
  try {
    return readChecked(path, label, prefix);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code) throw new PluginError(`${prefix}cannot read ${label.shown}: ${code}`, { hint: 'Check the path and that the step may read it.', cause: err });
    throw err;
  }
}

function readChecked(path: string, label: FileLabel, prefix: string): Buffer | undefined {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return undefined;
  if (!stat.isFile()) throw new PluginError(`${prefix}${label.shown} is ${kindOf(stat)}, not a file`);
  if (stat.size > label.maxBytes) throw tooLarge(prefix, label, stat.size);
  // O_NONBLOCK: should the path be swapped for a FIFO after the stat, opening it does not hang.
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw new PluginError(`${prefix}${label.shown} is not a file`);
    // One byte more than allowed tells a file that grew since the stat from one that did not.
    const buf = Buffer.allocUnsafe(Math.min(stat.size, label.maxBytes) + 1);
    let length = 0;
    for (let n = 1; n > 0 && length < buf.length; length += n) n = readSync(fd, buf, length, buf.length - length, null);
    if (length > label.maxBytes) throw tooLarge(prefix, label, length);
    return buf.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/** A bounded file as UTF-8 text; invalid UTF-8 is an error naming the file and line. */
export function readTextFile(path: string, label: FileLabel): string | undefined {
  const buf = readBoundedFile(path, label);
  return buf && utf8Text(buf, label.setting ? `settings.${label.setting}: ${label.shown}` : label.shown);
}

/**
 * Bytes as UTF-8, strictly: a Latin-1 or binary file would otherwise be deployed or posted with
 * replacement characters where its bytes were.
 */
export function utf8Text(buf: Buffer, shown: string): string {
  if (isUtf8(buf)) return buf.toString('utf8');
  let start = 0;
  let line = 1;
  for (;;) {
    const end = buf.indexOf(10, start);
    const bytes = buf.subarray(start, end < 0 ? buf.length : end);
    if (!isUtf8(bytes)) {
      const bad = firstInvalidByte(bytes);
      throw new PluginError(`${shown}:${line}: not valid UTF-8 (byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, '0')} at byte ${bad + 1} of the line)`, {
        hint: 'Save the file as UTF-8 (it may be Latin-1 or UTF-16), or check that it is a text file.',
      });
    }
    if (end < 0) return buf.toString('utf8');
    start = end + 1;
    line++;
  }
}

/** The offset of the first byte that does not start a valid UTF-8 character. */
function firstInvalidByte(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const c = bytes[i]!;
    const width = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
    if (width === 0 || !isUtf8(bytes.subarray(i, i + width)) || i + width > bytes.length) return i;
    i += width;
  }
  return i;
}

function tooLarge(prefix: string, label: FileLabel, size: number): PluginError {
  return new PluginError(`${prefix}${label.shown} is ${formatBytes(size)}, more than the ${formatBytes(label.maxBytes)} this plugin reads`, {
    hint: 'Check that the path names the file you meant.',
  });
}

function kindOf(stat: ReturnType<typeof statSync> & object): string {
  if (stat.isDirectory()) return 'a directory';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  return 'not a regular file';
}
