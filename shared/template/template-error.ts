import { PluginError } from '../errors.ts';

/**
 * A template that cannot be loaded, parsed or rendered. It is a PluginError because the cause is the
 * user's template or settings, not our code, so the runner prints it without a stack trace.
 * `line` and `column` are 1-based and undefined when the failure has no position.
 */
export class TemplateError extends PluginError {
  readonly templateName: string;
  readonly line: number | undefined;
  readonly column: number | undefined;

  constructor(
    templateName: string,
    detail: string,
    opts: { line?: number; column?: number; cause?: unknown; hint?: string } = {},
  ) {
    const where =
      opts.line === undefined
        ? ''
        : opts.column === undefined
          ? `line ${opts.line}: `
          : `line ${opts.line}, column ${opts.column}: `;
    super(`template "${templateName}": ${where}${detail}`, { cause: opts.cause, hint: opts.hint });
    this.name = 'TemplateError';
    this.templateName = templateName;
    this.line = opts.line;
    this.column = opts.column;
  }
}
