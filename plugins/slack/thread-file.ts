import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { PluginError } from '../../shared/errors.ts';
import { MAX_SMALL_FILE_BYTES } from '../../shared/limits.ts';
import { readTextFile } from '../../shared/read-file.ts';

/**
 * Drone has no step outputs, so the thread a message starts is handed to later steps in a
 * workspace file: `{"channel": "C123", "ts": "1700000000.000100"}`. A file holding only the
 * timestamp, as a shell step might write it, is read too.
 */
export function readThreadTs(path: string): string | undefined {
  const text = readTextFile(path, { shown: path, setting: 'thread_ts_file', maxBytes: MAX_SMALL_FILE_BYTES })?.trim();
  if (!text) return undefined;
  if (/^\d+\.\d+$/.test(text)) return text;
  try {
    const ts = (JSON.parse(text) as { ts?: unknown }).ts;
    if (typeof ts === 'string' && /^\d+\.\d+$/.test(ts)) return ts;
  } catch {
    // Reported below with the rest of the unreadable shapes.
  }
  throw new PluginError(`settings.thread_ts_file: ${path} holds no message timestamp`, {
    hint: 'The file holds {"channel": "C123", "ts": "1700000000.000100"} or just the timestamp.',
  });
}

export function writeThreadTs(path: string, posted: { channel: string; ts: string }): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify({ channel: posted.channel, ts: posted.ts }) + '\n');
}
