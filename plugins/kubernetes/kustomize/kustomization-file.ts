import { PluginError } from '../../../shared/errors.ts';
import { YamlLimitError, loadBoundedYaml, nodeBudget } from '../../../shared/yaml.ts';
import { locateField } from '../source-line.ts';
import { isMap } from './field-spec.ts';
import { KUSTOMIZATION_FIELDS, type Kustomization, type KustomizationFile, type Loader } from './types.ts';

/** Fields kustomize knows that this build refuses, and why. */
const UNSUPPORTED: Partial<Record<(typeof KUSTOMIZATION_FIELDS)[number], string>> = {
  vars: 'vars are deprecated in kustomize v5: use `replacements`',
  helmCharts: 'Helm needs the helm binary: run `helm template` in an earlier step and list its output in `resources`',
  helmGlobals: 'Helm needs the helm binary: run `helm template` in an earlier step and list its output in `resources`',
  helmChartInflationGenerator: 'Helm needs the helm binary: run `helm template` in an earlier step and list its output in `resources`',
  generators: 'generator plugins run programs of their own: build with `kubectl kustomize` in an earlier step instead',
  transformers: 'transformer plugins run programs of their own: use the built-in fields (patches, replacements ...) or build with `kubectl kustomize` in an earlier step',
  validators: 'validator plugins run programs of their own: build with `kubectl kustomize` in an earlier step instead',
  configurations: 'custom transformer configurations are not supported: use `patches` or `replacements`',
  crds: 'CRD field configurations are not supported: use `patches` or `replacements`',
  openapi: 'custom OpenAPI schemas are not supported',
  inventory: 'the inventory object is not supported (prune with `prune: true` and `prune_label`)',
  buildMetadata: 'build metadata annotations are not supported',
};

// What kustomize v5 warns of, and what replaces it.
const DEPRECATED = {
  commonLabels: '`labels` (with `includeSelectors: true` for the same result)',
  bases: '`resources`',
  patchesStrategicMerge: '`patches`',
  patchesJson6902: '`patches`',
} as const;

/**
 * Warnings for the deprecated fields `k` uses, as `kubectl kustomize` prints them. Read from its text
 * (top-level keys), since `bases` is folded into `resources` once read.
 */
export function deprecations(k: KustomizationFile): string[] {
  return Object.entries(DEPRECATED)
    .filter(([field]) => new RegExp(`^["']?${field}["']?\\s*:`, 'm').test(k.text))
    .map(([field, instead]) => `${k.file}: ${field} is deprecated in kustomize v5: use ${instead}`);
}

const STRING_MAPS = ['commonLabels', 'commonAnnotations'] as const;
const STRINGS = ['namePrefix', 'nameSuffix', 'namespace'] as const;
const STRING_LISTS = ['resources', 'components', 'bases', 'patchesStrategicMerge'] as const;

/** The kustomization file of `loader`'s directory, read, rendered and checked field by field. */
export function readKustomization(loader: Loader): KustomizationFile {
  const { text } = loader.readFile(loader.file.slice(loader.file.lastIndexOf('/') + 1), 'kustomization file');
  const file = loader.file;
  let value: unknown;
  try {
    value = loadBoundedYaml(text, nodeBudget(), file);
  } catch (err) {
    if (err instanceof YamlLimitError) throw new PluginError(`${file}: refused: ${err.message}`);
    const e = err as { reason?: string; mark?: { line: number }; message: string };
    throw new PluginError(`${file}:${(e.mark?.line ?? 0) + 1}: invalid YAML: ${e.reason ?? e.message}`);
  }
  if (value === null || value === undefined) value = {};
  if (!isMap(value)) throw new PluginError(`${file}: expected a kustomization (resources, patches ...), got ${Array.isArray(value) ? 'a list' : typeof value}`);
  const at = (field: string) => {
    const line = locateField(text, field);
    return line === undefined ? file : `${file}:${line + 1}`;
  };
  const k = value as Kustomization;
  for (const field of Object.keys(value)) {
    if (!(KUSTOMIZATION_FIELDS as readonly string[]).includes(field)) {
      throw new PluginError(`${at(field)}: ${field} is not a kustomization field`, { hint: `kustomize v5 knows: ${KUSTOMIZATION_FIELDS.join(', ')}.` });
    }
    const why = UNSUPPORTED[field as keyof typeof UNSUPPORTED];
    if (why && value[field] !== null && value[field] !== undefined) throw new PluginError(`${at(field)}: ${field} is not supported: ${why}`);
  }
  // As kustomize: a kustomization setting nothing (null and '' are unset; `resources: []` is set) is a mistake.
  if (!Object.entries(value).some(([field, v]) => field !== 'apiVersion' && field !== 'kind' && v !== null && v !== '')) {
    throw new PluginError(`${file}: the kustomization is empty`, { hint: 'List its resources (or components), or remove the directory from the build.' });
  }
  if (k.kind !== undefined && k.kind !== 'Kustomization' && k.kind !== 'Component') throw new PluginError(`${at('kind')}: kind should be Kustomization or Component`);
  const version = k.kind === 'Component' ? 'kustomize.config.k8s.io/v1alpha1' : 'kustomize.config.k8s.io/v1beta1';
  if (k.apiVersion !== undefined && k.apiVersion !== version) throw new PluginError(`${at('apiVersion')}: apiVersion for ${k.kind ?? 'Kustomization'} should be ${version}`);
  for (const field of STRINGS) if (k[field] !== undefined && typeof k[field] !== 'string') throw new PluginError(`${at(field)}: ${field}: expected a string`);
  for (const field of STRING_MAPS) {
    const m = k[field];
    if (m === undefined || m === null) continue;
    if (!isMap(m) || Object.values(m).some((v) => typeof v !== 'string')) {
      throw new PluginError(`${at(field)}: ${field}: expected a map of strings`, { hint: 'Quote values YAML reads as numbers or booleans: "1", "true".' });
    }
  }
  for (const field of STRING_LISTS) {
    const list = k[field];
    if (list !== undefined && list !== null && (!Array.isArray(list) || list.some((v) => typeof v !== 'string'))) throw new PluginError(`${at(field)}: ${field}: expected a list of paths`);
  }
  checkEntries(k.images, ['name', 'newName', 'newTag', 'digest', 'tagSuffix'], 'images', at);
  checkEntries(k.replicas, ['name', 'count'], 'replicas', at);
  checkEntries(k.labels, ['pairs', 'includeSelectors', 'includeTemplates', 'fields'], 'labels', at);
  for (const [i, label] of (k.labels ?? []).entries()) {
    if (label.pairs !== undefined && (!isMap(label.pairs) || Object.values(label.pairs).some((v) => typeof v !== 'string'))) {
      throw new PluginError(`${at('labels')}: labels[${i}].pairs: expected a map of strings`, { hint: 'Quote values YAML reads as numbers or booleans: "1", "true".' });
    }
  }
  if (k.sortOptions !== undefined) {
    checkEntries([k.sortOptions], ['order', 'legacySortOptions'], 'sortOptions', at);
    if (k.sortOptions.order !== undefined && k.sortOptions.order !== 'legacy' && k.sortOptions.order !== 'fifo') throw new PluginError(`${at('sortOptions')}: sortOptions.order: expected legacy or fifo`);
  }
  for (const [i, r] of (k.replicas ?? []).entries()) {
    if (typeof r.name !== 'string' || !Number.isInteger(r.count)) throw new PluginError(`${at('replicas')}: replicas[${i}]: expected a name and an integer count`);
  }
  for (const [i, image] of (k.images ?? []).entries()) {
    const notString = Object.entries(image).find(([, v]) => typeof v !== 'string');
    if (notString) throw new PluginError(`${at('images')}: images[${i}].${notString[0]}: expected a string`, { hint: 'Quote a tag YAML reads as a number: newTag: "1.10", not 1.10 (which is 1.1).' });
    if (!image.name) throw new PluginError(`${at('images')}: images[${i}]: expected a name`);
  }
  // kustomize folds the deprecated `bases` into `resources`, after them.
  const kustomization: Kustomization = { ...k, resources: [...(k.resources ?? []), ...(k.bases ?? [])] };
  delete kustomization.bases;
  return { kustomization, file, text };
}

export function checkEntries(list: unknown, allowed: readonly string[], field: string, at: (field: string) => string): void {
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) throw new PluginError(`${at(field)}: ${field}: expected a list`);
  for (const [i, entry] of list.entries()) {
    if (!isMap(entry)) throw new PluginError(`${at(field)}: ${field}[${i}]: expected a map`);
    const unknown = Object.keys(entry).find((key) => !allowed.includes(key));
    if (unknown) throw new PluginError(`${at(field)}: ${field}[${i}].${unknown} is not a field of ${field} (${allowed.join(', ')})`);
  }
}
