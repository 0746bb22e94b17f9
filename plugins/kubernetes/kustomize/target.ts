import { gvkSelects } from './gvk.ts';
import { parseSelector, SelectorSyntaxError } from './label-selector.ts';
import { currentId, effectiveNamespace } from './resource.ts';
import type { Resource, Selector } from './types.ts';

/** Why a `target`, `select` or `reject` cannot be read. */
export class TargetError extends Error {}

/**
 * The resources a kustomize selector picks (resWrangler.Select): group, version and kind exactly;
 * name and namespace as anchored regular expressions against the original or the current one;
 * labels and annotations by selector.
 */
export function selected(resources: readonly Resource[], selector: Selector): Resource[] {
  const name = anchored(selector.name, 'name');
  const namespace = anchored(selector.namespace, 'namespace');
  const labels = selectorOf(selector.labelSelector, 'labelSelector');
  const annotations = selectorOf(selector.annotationSelector, 'annotationSelector');
  return resources.filter((r) => {
    if (!gvkSelects(selector, r.object.apiVersion, r.object.kind)) return false;
    if (name && !name.test(r.origin.name) && !name.test(r.object.metadata.name ?? '')) return false;
    if (namespace && !namespace.test(effectiveNamespace(r.origin) ?? '') && !namespace.test(effectiveNamespace(currentId(r)) ?? '')) return false;
    if (labels && !labels(r.object.metadata.labels ?? {})) return false;
    return !annotations || annotations(r.object.metadata.annotations ?? {});
  });
}

/** A group holding a repetition, itself repeated: `(a+)+`, `(\w*x?)*`. */
const NESTED_REPETITION = /\((?:[^()\\]|\\.)*[*+}](?:[^()\\]|\\.)*\)\s*[*+{]/;

function anchored(pattern: string | undefined, field: string): RegExp | undefined {
  if (pattern === undefined || pattern === '') return undefined;
  // Go's regexp (kustomize's) runs in linear time; JavaScript's backtracks, and a nested
  // repetition could block the step past its timeout on a long name.
  if (NESTED_REPETITION.test(pattern)) {
    throw new TargetError(`${field} ${JSON.stringify(pattern)} repeats a group that itself repeats, which can take exponential time here; write it without the nesting`);
  }
  try {
    return new RegExp(`^(?:${pattern})$`);
  } catch (err) {
    throw new TargetError(`${field} ${JSON.stringify(pattern)} is not a regular expression: ${(err as Error).message}`);
  }
}

function selectorOf(text: string | undefined, field: string) {
  if (text === undefined || text === '') return undefined;
  try {
    return parseSelector(text);
  } catch (err) {
    if (err instanceof SelectorSyntaxError) throw new TargetError(`${field}: ${err.message}`);
    throw err;
  }
}
