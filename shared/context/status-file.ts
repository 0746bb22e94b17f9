import { MAX_STATUS_FILE_BYTES } from '../limits.ts';
import { readBoundedFile } from '../read-file.ts';
import { goUnquote } from './go-unquote.ts';

/**
 * Drone's Kubernetes runner fixes a step's environment when the pod starts and writes the live
 * build status into a downward-API file of the pod's annotations: sorted `key="value"` lines with
 * Go-quoted values. Annotation keys such as `kubernetes.io/config.seen` share the file, which is
 * exactly what makes other plugins' dotenv parsers reject it whole and report a failed build as a
 * success. This parser accepts any key and never lets one bad line cost the others.
 */
interface StatusFile {
  readonly entries: ReadonlyMap<string, string>;
  readonly skipped: ReadonlyArray<{ line: number; reason: string }>;
}

export function parseStatusFile(text: string): StatusFile {
  const entries = new Map<string, string>();
  const skipped: Array<{ line: number; reason: string }> = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) {
      skipped.push({ line: index + 1, reason: 'no key=value' });
      return;
    }
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    try {
      entries.set(key, value.startsWith('"') ? goUnquote(value) : value);
    } catch (err) {
      skipped.push({ line: index + 1, reason: (err as Error).message });
    }
  });
  return { entries, skipped };
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface Overlay {
  readonly env: NodeJS.ProcessEnv;
  /** Keys whose value the file changed. */
  readonly changed: readonly string[];
  readonly skipped: StatusFile['skipped'];
  readonly found: boolean;
}

/**
 * The environment with the file's env-shaped keys laid over it. A missing file is the normal case
 * on the Docker runner. Values are taken literally: no `$VAR` expansion. A directory, FIFO or
 * device, or a file larger than any pod's annotations, is refused naming `settings.env_file`:
 * reading on without it could report a failed build as a success.
 */
export function overlayStatusFile(env: NodeJS.ProcessEnv, path: string): Overlay {
  const bytes = readBoundedFile(path, { shown: path, setting: 'env_file', maxBytes: MAX_STATUS_FILE_BYTES });
  if (!bytes) return { env, changed: [], skipped: [], found: false };
  // Lenient on purpose: one unreadable annotation must not cost the status lines.
  const file = parseStatusFile(bytes.toString('utf8'));
  const merged = { ...env };
  const changed: string[] = [];
  for (const [key, value] of file.entries) {
    if (!ENV_NAME.test(key)) continue;
    if (merged[key] !== value) changed.push(key);
    merged[key] = value;
  }
  return { env: merged, changed, skipped: file.skipped, found: true };
}
