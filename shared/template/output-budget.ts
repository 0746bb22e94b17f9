import { MAX_RENDERED_CHARS, formatBytes } from '../limits.ts';

/**
 * How much text the render in progress may still produce. Templates render synchronously, so one
 * module-wide budget serves whichever render is running. Every piece of output is charged as it is
 * made (each block body, helper result and substituted value), so a template that would expand to
 * gigabytes stops at the limit instead of after the allocation.
 */
export class OutputLimitError extends Error {
  constructor() {
    super(`it renders to more than ${formatBytes(MAX_RENDERED_CHARS)} of text; rendering was stopped there`);
    this.name = 'OutputLimitError';
  }
}

let left: number | undefined;

export function withOutputBudget<T>(render: () => T, limit = MAX_RENDERED_CHARS): T {
  const outer = left;
  left = limit;
  try {
    return render();
  } finally {
    left = outer;
  }
}

/** Charges `chars` of output to the render in progress. */
export function spendOutput(chars: number): void {
  if (left === undefined) return;
  left -= chars;
  if (left < 0) throw new OutputLimitError();
}

/** Refuses output about to be allocated in one piece (`repeat`), before it is. */
export function ensureRoom(chars: number): void {
  if (left !== undefined && chars > left) throw new OutputLimitError();
}
