import { PluginError } from '../../../shared/errors.ts';
import { locateField } from '../source-line.ts';
import { isMap } from './field-spec.ts';
import { checkEntries } from './kustomization-file.ts';
import type { KustomizationFile } from './types.ts';

/*
 * The patch, generator and replacement fields of a kustomization checked as kustomize reads them
 * (strictly: a misspelt key is an error, not ignored), so a mistake is named with its line before
 * anything runs.
 */

const SELECTOR = ['group', 'version', 'kind', 'name', 'namespace', 'labelSelector', 'annotationSelector'];
const OPTIONS = ['labels', 'annotations', 'disableNameSuffixHash', 'immutable'];

function checker(k: KustomizationFile) {
  const at = (field: string) => {
    const line = locateField(k.text, field.replace(/[[.].*$/, ''));
    return line === undefined ? k.file : `${k.file}:${line + 1}`;
  };
  const fail = (field: string, what: string): never => {
    throw new PluginError(`${at(field)}: ${field}: ${what}`);
  };
  const keys = (value: unknown, allowed: readonly string[], field: string) => {
    if (!isMap(value)) return fail(field, 'expected a map');
    const unknown = Object.keys(value).find((key) => !allowed.includes(key));
    if (unknown) throw new PluginError(`${at(field)}: ${field}.${unknown} is not a field of ${field} (${allowed.join(', ')})`);
  };
  return {
    at,
    keys,
    text: (value: unknown, field: string) => {
      if (value !== undefined && typeof value !== 'string') fail(field, 'expected a string');
    },
    strings: (value: unknown, field: string) => {
      if (value !== undefined && (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))) fail(field, 'expected a list of strings');
    },
    options: (value: unknown, field: string) => {
      if (value === undefined) return;
      keys(value, OPTIONS, field);
      const o = value as Record<string, unknown>;
      for (const key of ['labels', 'annotations']) {
        if (o[key] !== undefined && (!isMap(o[key]) || Object.values(o[key]).some((v) => typeof v !== 'string'))) fail(`${field}.${key}`, 'expected a map of strings (quote 1 and true)');
      }
      for (const key of ['disableNameSuffixHash', 'immutable']) if (o[key] !== undefined && typeof o[key] !== 'boolean') fail(`${field}.${key}`, 'expected true or false');
    },
  };
}

export function checkPatchFields(k: KustomizationFile, field: 'patches' | 'patchesJson6902'): void {
  const c = checker(k);
  checkEntries(k.kustomization[field], ['path', 'patch', 'target', 'options'], field, c.at);
  for (const [i, p] of (k.kustomization[field] ?? []).entries()) {
    c.text(p.path, `${field}[${i}].path`);
    c.text(p.patch, `${field}[${i}].patch`);
    if (p.target !== undefined) c.keys(p.target, SELECTOR, `${field}[${i}].target`);
    for (const [key, value] of Object.entries(p.target ?? {})) c.text(value, `${field}[${i}].target.${key}`);
    if (p.options !== undefined) c.keys(p.options, ['allowNameChange', 'allowKindChange'], `${field}[${i}].options`);
  }
}

export function checkGeneratorFields(k: KustomizationFile): void {
  const c = checker(k);
  for (const field of ['configMapGenerator', 'secretGenerator'] as const) {
    checkEntries(k.kustomization[field], ['name', 'namespace', 'behavior', 'literals', 'files', 'envs', 'env', 'options', ...(field === 'secretGenerator' ? ['type'] : [])], field, c.at);
    for (const [i, g] of (k.kustomization[field] ?? []).entries()) {
      for (const key of ['name', 'namespace', 'behavior', 'env', 'type']) c.text((g as Record<string, unknown>)[key], `${field}[${i}].${key}`);
      for (const key of ['literals', 'files', 'envs'] as const) c.strings(g[key], `${field}[${i}].${key}`);
      c.options(g.options, `${field}[${i}].options`);
    }
  }
  c.options(k.kustomization.generatorOptions, 'generatorOptions');
}

export function checkReplacementFields(k: KustomizationFile): void {
  checkEntries(k.kustomization.replacements, ['path', 'source', 'targets'], 'replacements', checker(k).at);
}
