import { CORE_SCHEMA, NOT_RESOLVED, type Schema, defineScalarTag, load, mergeTag } from 'js-yaml';
import { MAX_YAML_NODES } from './limits.ts';

// Go's strconv.ParseInt(s, 0, 64), which go-yaml applies to a plain scalar once its `_` are removed.
const GO_INT = /^[-+]?(?:0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[0-9]+)$/;

/**
 * Integers as go-yaml (kubectl, kustomize) reads them: `0644` is octal (a file mode, 420), `0o644`
 * and `0x1F` too, and `1_000` is 1000. The YAML 1.2 core schema alone reads `0644` as 644, which
 * the API server refuses as a mode.
 */
export const goIntTag = defineScalarTag('tag:yaml.org,2002:int', {
  implicit: true,
  implicitFirstChars: ['-', '+', ...'0123456789'],
  resolve: (source) => {
    const plain = source.replaceAll('_', '');
    if (!GO_INT.test(plain)) return NOT_RESOLVED;
    const sign = plain.startsWith('-') ? -1 : 1;
    const digits = plain.replace(/^[-+]/, '');
    const radix = /^0[xX]/.test(digits) ? 16 : /^0[bB]/.test(digits) ? 2 : /^0[oO]?[0-7]/.test(digits) ? 8 : 10;
    // `+ 0`: go-yaml reads `-0` as the integer 0, not JavaScript's -0.
    return sign * Number.parseInt(radix === 10 ? digits : digits.replace(/^0[xXbBoO]?/, ''), radix) + 0;
  },
  identify: (value) => Number.isInteger(value) && !Object.is(value, -0),
  represent: (value) => String(value),
});

/** YAML as Kubernetes' Go tools read it: the core schema (`yes` stays a string), go-yaml's integers and `<<` merge keys. */
export const KUBE_SCHEMA = CORE_SCHEMA.withTags(goIntTag, mergeTag);

/**
 * js-yaml shares an aliased node instead of copying it, so a "billion laughs" file parses in
 * microseconds; it is sending it (JSON.stringify) that expands it. This counts what the file
 * expands to and refuses it past the budget, or when an alias refers to its own ancestor.
 */
export class YamlLimitError extends Error {}

/** A node count shared by the documents of one file. */
interface NodeBudget {
  readonly limit: number;
  left: number;
}

export function nodeBudget(limit = MAX_YAML_NODES): NodeBudget {
  return { limit, left: limit };
}

/** `load` with the file's expanded size counted against `budget`. Parse errors are js-yaml's. */
export function loadBoundedYaml(text: string, budget: NodeBudget, filename?: string, schema: Schema = KUBE_SCHEMA): unknown {
  const value = load(text, { filename, schema });
  try {
    spend(value, budget, new Map(), new Set());
  } catch (err) {
    // Aliases chained through anchors nest deeper than the parser's own depth limit.
    if (err instanceof RangeError) throw new YamlLimitError('its aliases nest too deeply');
    throw err;
  }
  return value;
}

/** Each distinct object is measured once; every further reference to it costs its full size again. */
function spend(value: unknown, budget: NodeBudget, sizes: Map<object, number>, open: Set<object>): number {
  if (value === null || typeof value !== 'object') return charge(budget, 1);
  const known = sizes.get(value);
  if (known !== undefined) return charge(budget, known);
  if (open.has(value)) throw new YamlLimitError('an alias refers to a node that contains it (a recursive alias)');
  open.add(value);
  let size = 1;
  charge(budget, 1);
  for (const child of Array.isArray(value) ? value : Object.values(value)) size += spend(child, budget, sizes, open);
  open.delete(value);
  sizes.set(value, size);
  return size;
}

function charge(budget: NodeBudget, n: number): number {
  budget.left -= n;
  if (budget.left < 0) throw new YamlLimitError(`it expands to more than ${budget.limit.toLocaleString('en')} nodes once its aliases are expanded`);
  return n;
}
