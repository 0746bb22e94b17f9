import { MAX_RENDERED_CHARS, MAX_TEMPLATE_BLOCK_RUNS, formatBytes } from '../limits.ts';

/**
 * How much text the render in progress may still produce. Templates render synchronously, so one
 * module-wide budget serves whichever render is running. Each piece of output (a block body, a
 * helper's result, a printed value, a `${VAR}`) is charged when it is made, for the text it adds to
 * what the pieces inside it made already: a template that would expand to gigabytes stops at the
 * limit, not after the allocation, and text is not charged again at each level it passes through.
 */
export class OutputLimitError extends Error {
  constructor(what = `renders to more than ${formatBytes(MAX_RENDERED_CHARS)} of text`) {
    super(`it ${what}; rendering was stopped there`);
    this.name = 'OutputLimitError';
  }
}

let left: number | undefined;
let runsLeft = 0;
/** For each piece being made, the length of the output the pieces inside it were charged for. */
let inner: number[] = [];

export function withOutputBudget<T>(render: () => T, limit = MAX_RENDERED_CHARS): T {
  const outer = { left, inner, runsLeft };
  left = limit;
  inner = [];
  runsLeft = MAX_TEMPLATE_BLOCK_RUNS;
  try {
    return render();
  } finally {
    ({ left, inner, runsLeft } = outer);
  }
}

/** Counts one run of a block body against the render in progress. */
export function countBlockRun(): void {
  if (left !== undefined && --runsLeft < 0) throw new OutputLimitError(`runs its blocks ({{#each}} ...) more than ${MAX_TEMPLATE_BLOCK_RUNS.toLocaleString('en')} times`);
}

/** The last helper result: `{{helper}}` prints it through the escape function next. */
let lastMade: unknown;

/** Makes a piece of output and charges the text it adds to the render in progress. */
export function charge<T>(make: () => T, already = 0): T {
  if (left === undefined) return make();
  inner.push(already);
  let out: T;
  let made: number;
  try {
    out = make();
  } finally {
    made = inner.pop()!;
  }
  if (typeof out !== 'string') return out;
  left -= Math.max(0, out.length - made);
  if (left < 0) throw new OutputLimitError();
  if (inner.length > 0) inner[inner.length - 1]! += out.length;
  return out;
}

/** A helper's result: charged, and remembered for the escape function that prints it next. */
export function chargeHelper<T>(make: () => T): T {
  const out = charge(make);
  lastMade = out;
  return out;
}

/** A printed value, charged for what escaping adds when it is the result just charged. */
export function chargeEscaped(value: unknown, escapeFn: (value: unknown) => string): string {
  const out = charge(() => escapeFn(value), typeof value === 'string' && value === lastMade ? value.length : 0);
  // Strings compare by value: the same text printed again is new output.
  lastMade = undefined;
  return out;
}

/** Refuses output about to be allocated in one piece (`repeat`), before it is. */
export function ensureRoom(chars: number): void {
  if (left !== undefined && chars > left) throw new OutputLimitError();
}
