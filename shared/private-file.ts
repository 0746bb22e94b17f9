import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * Writes a file that holds credentials: readable by its owner only (0600) whatever was at the path
 * before, and never through a symlink there, which could point the secret at any file. A new file is
 * written beside it and renamed over it, which replaces a symlink instead of following it, and never
 * leaves a half-written config for a reader.
 */
export function writePrivateFile(path: string, content: string): void {
  // node:crypto on first use: ~7 ms of every start otherwise, also of steps that write no file.
  const random = process.getBuiltinModule('node:crypto').randomBytes(6).toString('hex');
  const temp = join(dirname(path), `.${basename(path)}.${random}.tmp`);
  // 'wx' (O_EXCL): never an existing file, nor a symlink planted at the temporary name.
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
}
