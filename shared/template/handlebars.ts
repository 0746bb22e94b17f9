/**
 * Renders drone-template-lib style templates (raymond + sprig) with handlebars.js.
 *
 * Each escape mode gets its own Handlebars environment, created on first use. Compiled templates
 * take `container.escapeExpression` from the module-wide `Utils`, which every environment shares
 * (overriding `Utils.escapeExpression` would change the global Handlebars too), so the environment's
 * `template()` is wrapped to put its own escape function into each new template's container.
 */
import Handlebars from 'handlebars';
import { masker } from '../secrets.ts';
import { templateView } from './context-view.ts';
import { registerHelpers } from './helpers.ts';
import { OutputLimitError, charge, chargeEscaped, countBlockRun, withOutputBudget } from './output-budget.ts';
import { TemplateError } from './template-error.ts';

export { TemplateError } from './template-error.ts';

export type EscapeMode = 'raymond' | 'slack' | 'json' | 'none';

export interface RenderOptions {
  /** Names the template in errors, e.g. "settings.template" or a file path. */
  name: string;
  /** raymond (default): & ' < > "; slack: only & < > (what Slack's mrkdwn needs); json: inside a JSON string; none. */
  escape?: EscapeMode;
  /** A missing field is an error instead of "". */
  strict?: boolean;
}

type HandlebarsEnv = typeof Handlebars;
type ExceptionNode = ConstructorParameters<HandlebarsEnv['Exception']>[1];
type Escape = (value: unknown) => string;

const ESCAPES: Record<EscapeMode, Record<string, string>> = {
  raymond: { '&': '&amp;', "'": '&apos;', '<': '&lt;', '>': '&gt;', '"': '&quot;' },
  slack: { '&': '&amp;', '<': '&lt;', '>': '&gt;' },
  // A template of a JSON document (a Teams card): a commit message with a quote, a line break or
  // any other control character stays one valid string.
  json: {
    ...Object.fromEntries(Array.from({ length: 0x20 }, (_, c) => [String.fromCharCode(c), `\\u${c.toString(16).padStart(4, '0')}`])),
    '"': '\\"',
    '\\': '\\\\',
    '\n': '\\n',
    '\r': '\\r',
    '\t': '\\t',
  },
  none: {},
};

const environments = new Map<EscapeMode, HandlebarsEnv>();

export type Render = (source: string, context: object, opts: RenderOptions) => string;

/**
 * Plugins reach this module through `await import()`, so esbuild initializes Handlebars (and the
 * helpers' node:crypto) only in a step that has a template: ~20 ms of start-up otherwise.
 */
export function renderTemplate(source: string, context: object, opts: RenderOptions): string {
  const hb = environment(opts.escape ?? 'raymond');
  try {
    const render = hb.compile(source, { strict: opts.strict ?? false });
    return trimSpacesAndNewlines(withOutputBudget(() => render(templateView(context))));
  } catch (err) {
    if (err instanceof OutputLimitError) {
      throw new TemplateError(opts.name, err.message, { hint: 'Check the loops and repeat counts of the template: no message or manifest needs that much text.' });
    }
    throw toTemplateError(err, opts.name, hb);
  }
}

function environment(mode: EscapeMode): HandlebarsEnv {
  let hb = environments.get(mode);
  if (hb) return hb;
  hb = Handlebars.create();
  const escapeFn = escapeFunction(ESCAPES[mode]);
  const template = hb.template.bind(hb);
  const countedEscape: Escape = (value) => chargeEscaped(value, escapeFn);
  hb.template = ((spec: TemplateSpec) =>
    template({ ...counted(spec), main: withEscape(chargedProgram(spec.main), countedEscape) })) as HandlebarsEnv['template'];
  registerHelpers(hb);
  registerHelperMissing(hb);
  environments.set(mode, hb);
  return hb;
}

interface TemplateSpec {
  main: (container: { escapeExpression: Escape }, ...rest: unknown[]) => string;
  [program: string]: unknown;
}

function chargedProgram<A extends unknown[]>(program: (...args: A) => string): (...args: A) => string {
  return function (this: unknown, ...args: A) {
    return charge(() => program.apply(this, args));
  };
}

/** Block bodies (`#each`, `#if` ...) are the spec's numbered programs: each run is counted and charged. */
function counted(spec: TemplateSpec): TemplateSpec {
  const out: TemplateSpec = { ...spec };
  for (const [key, value] of Object.entries(spec)) {
    if (!/^\d+$/.test(key) || typeof value !== 'function') continue;
    const program = chargedProgram(value as (...args: unknown[]) => string);
    out[key] = function (this: unknown, ...args: unknown[]) {
      countBlockRun();
      return program.apply(this, args);
    };
  }
  return out;
}

function withEscape(main: TemplateSpec['main'], escapeFn: Escape): TemplateSpec['main'] {
  return function (this: unknown, container, ...rest) {
    container.escapeExpression = escapeFn;
    return main.call(this, container, ...rest);
  };
}

/** Same contract as Handlebars' Utils.escapeExpression, with our own set of characters. */
function escapeFunction(table: Record<string, string>): Escape {
  const chars = Object.keys(table);
  const pattern = chars.length ? new RegExp(`[${chars.map((c) => c.replace(/[\\\]^-]/g, '\\$&')).join('')}]`, 'g') : undefined;
  return (value) => {
    if (typeof value !== 'string') {
      if (value && typeof (value as { toHTML?: unknown }).toHTML === 'function') {
        return (value as { toHTML: () => string }).toHTML();
      }
      if (value === undefined || value === null) return '';
      value = String(value);
    }
    const text = value as string;
    return pattern ? text.replace(pattern, (c) => table[c] ?? c) : text;
  };
}

/** The stock helperMissing throws without a position; this one passes the call's location on. */
function registerHelperMissing(hb: HandlebarsEnv): void {
  hb.registerHelper('helperMissing', (...args: unknown[]) => {
    const options = args[args.length - 1] as { name: string; loc?: unknown };
    // A bare {{name}} that is neither a helper nor a field renders "", as in raymond.
    if (args.length === 1) return undefined;
    throw new hb.Exception(`Missing helper: "${options.name}"`, { loc: options.loc } as ExceptionNode);
  });
}

/** raymond's RenderTrim: strings.Trim(out, " \n"). */
function trimSpacesAndNewlines(text: string): string {
  return text.replace(/^[ \n]+|[ \n]+$/g, '');
}

interface Lexer {
  yylloc?: { first_line: number; first_column: number };
  matched?: string;
  match?: string;
  _input?: string;
  showPosition?: () => string;
}

/**
 * jison quotes 20 characters either side of the error, cut from the template as it was rendered:
 * cut first, a secret substituted into it would show its start. The quote is rebuilt from the
 * masked template instead.
 */
function withMaskedPosition(detail: string, lexer: Lexer | undefined): string {
  const shown = lexer?.showPosition?.();
  if (!lexer || !shown || typeof lexer.matched !== 'string' || typeof lexer.match !== 'string' || typeof lexer._input !== 'string') return detail;
  const { text, at } = masker.maskAt(lexer.matched + lexer._input, lexer.matched.length - lexer.match.length);
  const past = text.slice(0, at);
  const next = text.slice(at);
  const pre = (past.length > 20 ? '...' : '') + past.slice(-20).replace(/\n/g, '');
  const post = (next.slice(0, 20) + (next.length > 20 ? '...' : '')).replace(/\n/g, '');
  return detail.replace(shown, () => `${pre}${post}\n${'-'.repeat(pre.length)}^`);
}

interface HandlebarsFailure {
  message?: string;
  lineNumber?: number;
  column?: number;
}

function toTemplateError(err: unknown, name: string, hb: HandlebarsEnv): TemplateError {
  const failure = (err ?? {}) as HandlebarsFailure;
  let message = String(failure.message ?? err);
  if (typeof failure.lineNumber === 'number') {
    message = message.replace(/ - \d+:\d+$/, '').replace(/^"(.*)" not defined in .*$/s, '"$1" is not defined');
    const column = typeof failure.column === 'number' ? failure.column + 1 : undefined;
    return new TemplateError(name, message, { line: failure.lineNumber, column, cause: err });
  }
  const parse = /^(Parse|Lexical) error on line (\d+)[:.]\s*/.exec(message);
  if (parse) {
    // The jison parser only puts the line into its message; the offending token's position is
    // still in the (shared, synchronous) lexer right after the throw.
    const { Parser } = hb as unknown as { Parser: { lexer?: Lexer } };
    const lexer = Parser.lexer;
    const loc = lexer?.yylloc;
    const line = Number(parse[2]);
    const column = loc && loc.first_line === line ? loc.first_column + 1 : undefined;
    const detail = withMaskedPosition(message.slice(parse[0].length), lexer);
    return new TemplateError(name, `${parse[1]} error: ${detail}`, { line, column, cause: err });
  }
  return new TemplateError(name, message, { cause: err });
}
