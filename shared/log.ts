import { masker } from './secrets.ts';
import { writeFd } from './stdio.ts';

/**
 * Step logs are shown raw by Drone, so lines are plain text: no colours, no JSON. Every line passes
 * through the masker, whatever its level.
 */
export interface Logger {
  info(line: string): void;
  warn(line: string): void;
  error(line: string): void;
  debug(line: string): void;
  readonly debugEnabled: boolean;
}

type Sink = (text: string) => void;

/** Where the lines go: standard output and error unless a test says otherwise. */
export interface Sinks {
  readonly out?: Sink;
  readonly err?: Sink;
}

export function createLogger(opts: Sinks & { debug?: boolean } = {}): Logger {
  const out: Sink = opts.out ?? ((t) => writeFd(1, t));
  const err: Sink = opts.err ?? ((t) => writeFd(2, t));
  const emit = (sink: Sink, prefix: string, line: string) => {
    const text = masker.mask(line);
    sink(text.split('\n').map((l) => prefix + l).join('\n') + '\n');
  };
  return {
    debugEnabled: opts.debug ?? false,
    info: (line) => emit(out, '', line),
    warn: (line) => emit(err, 'warning: ', line),
    error: (line) => emit(err, 'error: ', line),
    debug: (line) => {
      if (opts.debug) emit(err, 'debug: ', line);
    },
  };
}
