/**
 * The one error type a plugin fails with on purpose. Anything else that escapes is a bug, and the
 * runner prints it as such (with a stack trace only under `debug`).
 */
export class PluginError extends Error {
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(message: string, opts: { hint?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'PluginError';
    this.hint = opts.hint;
    this.exitCode = opts.exitCode ?? 1;
  }
}

export function isPluginError(err: unknown): err is PluginError {
  return err instanceof PluginError;
}
