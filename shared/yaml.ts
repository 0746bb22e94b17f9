import { load, type Schema } from 'js-yaml';
import { MAX_YAML_NODES } from './limits.ts';

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
export function loadBoundedYaml(text: string, budget: NodeBudget, filename?: string, schema?: Schema): unknown {
  const value = load(text, { filename, ...(schema && { schema }) });
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
