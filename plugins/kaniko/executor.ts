import type { Readable } from 'node:stream';
import { PluginError } from '../../shared/errors.ts';
import { masker } from '../../shared/secrets.ts';
import { writeFd } from '../../shared/stdio.ts';
import { Cancelled } from '../../shared/stop.ts';

/** How long the executor has to stop after the forwarded signal before it is killed. */
const KILL_AFTER_MS = 1000;

/**
 * Runs the executor without a shell (values with spaces or quotes pass as they are) and streams
 * its output line by line through the masker. `onLine` sees each masked line, to explain a failure
 * afterwards. Resolves to its exit code. When the step is cancelled, the executor gets the same
 * signal (a build is the executor's to stop cleanly).
 */
export function execute(
  file: string,
  argv: readonly string[],
  opts: { cwd: string; env: NodeJS.ProcessEnv; signal: AbortSignal; onLine?: (line: string) => void },
): Promise<number> {
  return new Promise((resolve, reject) => {
    // node:child_process brings net, stream and dgram: ~6 ms that a step which never builds (a
    // settings error, a skipped event) would pay at start.
    const child = process.getBuiltinModule('node:child_process').spawn(file, argv, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const onLine = opts.onLine ?? (() => {});
    const flush = [relay(child.stdout, 1, onLine), relay(child.stderr, 2, onLine)];
    let killer: NodeJS.Timeout | undefined;
    const forward = () => {
      child.kill(opts.signal.reason instanceof Cancelled ? opts.signal.reason.signal : 'SIGTERM');
      killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
    };
    if (opts.signal.aborted) forward();
    else opts.signal.addEventListener('abort', forward, { once: true });
    child.on('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' ? 'it does not exist' : err.code === 'EACCES' ? 'it is not executable' : err.message;
      reject(
        new PluginError(`cannot run the executor ${file}: ${why}.`, {
          hint: 'settings.executor names the kaniko executor; the plugin image has it at /kaniko/executor.',
          cause: err,
        }),
      );
    });
    child.on('close', (code, signal) => {
      opts.signal.removeEventListener('abort', forward);
      clearTimeout(killer);
      for (const f of flush) f();
      resolve(code ?? 128 + (signal ? process.getBuiltinModule('node:os').constants.signals[signal] : 0));
    });
  });
}

function relay(from: Readable, to: 1 | 2, onLine: (line: string) => void): () => void {
  let pending = '';
  const masked = (line: string) => {
    const text = masker.mask(line);
    onLine(text);
    return text + '\n';
  };
  from.setEncoding('utf8');
  from.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop()!;
    if (lines.length > 0) writeFd(to, lines.map(masked).join(''));
  });
  return () => {
    if (pending !== '') writeFd(to, masked(pending));
    pending = '';
  };
}
