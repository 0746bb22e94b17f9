import { writeSync } from 'node:fs';

// Made on the first full pipe: a startup snapshot cannot hold a SharedArrayBuffer made at load.
let pause: Int32Array | undefined;

/**
 * Writes to standard output (1) or error (2) directly. `process.stdout`/`stderr` would load Node's
 * stream machinery at the first line (a few ms and MiB of every run, most of all of a run that only
 * prints an error), and a plugin's output is small and must be complete when it calls process.exit.
 */
export function writeFd(fd: 1 | 2, text: string): void {
  let rest = Buffer.from(text);
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(fd, rest));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // Nobody reads any more: the output has nowhere to go, which is no reason to fail the step.
      if (code === 'EPIPE') return;
      if (code !== 'EAGAIN') throw err;
      // A non-blocking pipe is full: give its reader a millisecond.
      pause ??= new Int32Array(new SharedArrayBuffer(4));
      Atomics.wait(pause, 0, 0, 1);
    }
  }
}
