import { PluginError } from './errors.ts';

/**
 * The two ways a step ends before its work is done: a cancel (Drone's, or the pod's deletion,
 * arrives as SIGTERM to PID 1; Ctrl-C as SIGINT) and its time limit. The runner aborts the step's
 * AbortSignal with one of these as the reason, so whatever was waiting can throw it as it is.
 */
export type StopSignal = 'SIGTERM' | 'SIGINT';

// Fixed on Linux, where the images run; node:os would add a module to every start.
const SIGNAL_NUMBER: Record<StopSignal, number> = { SIGINT: 2, SIGTERM: 15 };

export class Cancelled extends PluginError {
  readonly signal: StopSignal;

  /** `context` finishes the sentence: `while waiting for ...`. */
  constructor(signal: StopSignal, context?: string) {
    // 128 + the signal's number, as a shell reports a process the signal ended.
    super(`cancelled by ${signal}${context ? ` ${context}` : ''}`, { exitCode: 128 + SIGNAL_NUMBER[signal] });
    this.name = 'Cancelled';
    this.signal = signal;
  }

  during(what: string): Cancelled {
    return new Cancelled(this.signal, `during ${what}`);
  }
}

/** The step's time limit, as the user wrote it: `settings.timeout: 10s`. */
export interface Deadline {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly limit: string;
}

export class TimedOut extends PluginError {
  readonly limit: string;

  constructor(limit: string, during?: string) {
    super(during ? `${during}: no complete answer within ${limit}` : `the step did not finish within ${limit}`, {
      hint: `Raise ${limit.split(':')[0]} if the work is just slow; a server that accepts connections but never answers needs fixing.`,
    });
    this.name = 'TimedOut';
    this.limit = limit;
  }

  during(what: string): TimedOut {
    return new TimedOut(this.limit, what);
  }
}

export type Stop = Cancelled | TimedOut;

export function isStop(err: unknown): err is Stop {
  return err instanceof Cancelled || err instanceof TimedOut;
}

/** Why `signal` was aborted, when it was one of the two; anything else is a plain abort. */
export function stopOf(signal: AbortSignal | undefined): Stop | undefined {
  const r: unknown = signal?.aborted ? signal.reason : undefined;
  return isStop(r) ? r : undefined;
}

/** A wait that ends early, with the signal's reason, when the step stops. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * `work`'s outcome; but once `signal` is aborted, at most `graceMs` more of it: then the signal's
 * reason. What does not honour the signal (a kubeconfig's exec credential plugin that hangs, a
 * library's own wait) cannot hold the step past its bound.
 */
export function unlessStopped<T>(work: Promise<T>, signal: AbortSignal, graceMs: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      timer = setTimeout(() => reject(signal.reason), graceMs);
    };
    const settle = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        settle();
        resolve(value);
      },
      (err: unknown) => {
        settle();
        reject(err);
      },
    );
  });
}

// setTimeout takes at most a signed 32-bit delay (24.8 days); longer fires at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The step's signal: aborted when `cancel` is (with its reason) or when `limitMs` has passed (with
 * TimedOut). `dispose` stops the clock once the step is over.
 */
export function boundStep(cancel: AbortSignal, limit?: { ms: number; text: string }): { signal: AbortSignal; deadline: Deadline | undefined; dispose(): void } {
  const ctl = new AbortController();
  const follow = () => ctl.abort(cancel.reason);
  if (cancel.aborted) follow();
  else cancel.addEventListener('abort', follow, { once: true });
  const timer = limit && limit.ms <= MAX_TIMER_MS ? setTimeout(() => ctl.abort(new TimedOut(limit.text)), limit.ms) : undefined;
  return {
    signal: ctl.signal,
    deadline: limit && { at: Date.now() + limit.ms, limit: limit.text },
    dispose() {
      clearTimeout(timer);
      cancel.removeEventListener('abort', follow);
    },
  };
}

/** Milliseconds as a duration setting reads: `10s`, `5m`, `1h30m`, `1500ms`. */
export function durationText(ms: number): string {
  if (ms % 1000 !== 0) return `${ms}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  s %= 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}
