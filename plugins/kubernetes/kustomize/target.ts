import { parseSelector, SelectorSyntaxError } from './label-selector.ts';
import type { ResId, Resource, Selector } from './types.ts';

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
    const { group, version } = splitApiVersion(r.object.apiVersion);
    if (selector.group !== undefined && selector.group !== '' && selector.group !== group) return false;
    if (selector.version !== undefined && selector.version !== '' && selector.version !== version) return false;
    if (selector.kind !== undefined && selector.kind !== '' && selector.kind !== r.object.kind) return false;
    if (name && !name.test(r.origin.name) && !name.test(r.object.metadata.name ?? '')) return false;
    if (namespace && !namespace.test(r.origin.namespace ?? 'default') && !namespace.test(r.object.metadata.namespace ?? 'default')) return false;
    if (labels && !labels(r.object.metadata.labels ?? {})) return false;
    return !annotations || annotations(r.object.metadata.annotations ?? {});
  });
}

/** The object's id now, as kustomize writes it in previous ids. */
export function currentId(r: Resource): ResId {
  return { apiVersion: r.object.apiVersion, kind: r.object.kind, name: r.object.metadata.name ?? '', namespace: r.object.metadata.namespace };
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

function anchored(pattern: string | undefined, field: string): RegExp | undefined {
  if (pattern === undefined || pattern === '') return undefined;
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
