import { PluginError } from '../../../shared/errors.ts';
import { loadBoundedYaml, nodeBudget, YamlLimitError } from '../../../shared/yaml.ts';
import { locateField } from '../source-line.ts';
import { parseSelector } from './label-selector.ts';
import { isMap, type Json, type JsonMap } from './strategic-merge.ts';
import { gvkSelects } from './gvk.ts';
import { currentId, effectiveNamespace } from './resource.ts';
import { splitTopLevel } from './split-top-level.ts';
import { checkReplacementFields } from './transform-fields.ts';
import type { KustomizationFile, Loader, ResId, Resource, Selector } from './types.ts';

/** kustomize's replacement: one value copied from a source object into fields of target objects. */
interface Replacement {
  source?: { group?: string; version?: string; kind?: string; name?: string; namespace?: string; fieldPath?: string; options?: FieldOptions };
  targets?: Target[];
}

interface Target {
  select?: Selector;
  reject?: Selector[];
  fieldPaths?: string[];
  options?: FieldOptions;
}

interface FieldOptions {
  delimiter?: string;
  index?: number;
  create?: boolean;
}

class ReplacementError extends Error {}

/** `k`'s replacements applied to `resources`, the last of its transformers. Called only when `k` has some. */
export function applyReplacements(resources: Resource[], k: KustomizationFile, loader: Loader): Resource[] {
  checkReplacementFields(k);
  const line = (locateField(k.text, 'replacements') ?? 0) + 1;
  for (const [i, entry] of (k.kustomization.replacements ?? []).entries()) {
    const at = entry.path === undefined ? `${k.file}:${line}: replacements[${i}]` : undefined;
    for (const [j, replacement] of (entry.path === undefined ? [entry as Replacement] : fromFile(loader, entry.path, i)).entries()) {
      const where = at ?? `${entry.path} (replacements[${i}]), replacement ${j + 1}`;
      try {
        replace(resources, replacement);
      } catch (err) {
        if (err instanceof ReplacementError) throw new PluginError(`${where}: ${err.message}`);
        throw err;
      }
    }
  }
  return resources;
}

/** A replacements file holds one replacement or a list of them. */
function fromFile(loader: Loader, path: string, i: number): Replacement[] {
  const file = loader.readFile(path, `replacements[${i}].path`);
  let value: unknown;
  try {
    value = loadBoundedYaml(file.text, nodeBudget(), file.shown);
  } catch (err) {
    const reason = err instanceof YamlLimitError ? `refused: ${err.message}` : `invalid YAML: ${(err as { reason?: string }).reason ?? (err as Error).message}`;
    throw new PluginError(`${file.shown}: ${reason}`);
  }
  const list = Array.isArray(value) ? value : [value];
  if (!list.every(isMap)) throw new PluginError(`${file.shown}: expected a replacement (source and targets) or a list of them`);
  return list as Replacement[];
}

function replace(resources: Resource[], r: Replacement): void {
  if (!r.source || !r.targets) throw new ReplacementError('a replacement needs a source and at least one target');
  const value = sourceValue(resources, r.source);
  for (const [t, target] of r.targets.entries()) {
    if (!target.select) throw new ReplacementError(`targets[${t}] needs select`);
    for (const res of resources) {
      if (!matches(res, target.select)) continue;
      if ((target.reject ?? []).some((reject) => matches(res, reject))) continue;
      for (const path of target.fieldPaths?.length ? target.fieldPaths : ['metadata.name']) copyInto(res, path, value, target.options, t);
    }
  }
}

/** The ids an object answers to: its current one and those it had before a prefix, namespace or patch. */
function idsOf(r: Resource): ResId[] {
  return [currentId(r), r.origin, ...r.previous];
}

/** kustomize's ResId.IsSelectedBy on any of the object's ids (names exact), then its label and annotation selectors. */
function matches(r: Resource, s: Selector): boolean {
  const byId = idsOf(r).some(
    (id) => (!s.name || s.name === id.name) && (!s.namespace || s.namespace === effectiveNamespace(id)) && gvkSelects(s, id.apiVersion, id.kind),
  );
  if (!byId) return false;
  if (s.labelSelector && !selectorMatches(s.labelSelector, r.object.metadata.labels)) return false;
  return !s.annotationSelector || selectorMatches(s.annotationSelector, r.object.metadata.annotations);
}

function selectorMatches(text: string, values: Record<string, string> | undefined): boolean {
  try {
    return parseSelector(text)(values ?? {});
  } catch (err) {
    throw new ReplacementError((err as Error).message);
  }
}

function sourceValue(resources: Resource[], source: NonNullable<Replacement['source']>): Json {
  const found = resources.filter((r) => matches(r, source));
  const described = [source.kind, source.name].filter(Boolean).join(' ') || 'the source';
  if (found.length === 0) throw new ReplacementError(`nothing matches the source ${described}`);
  if (found.length > 1) throw new ReplacementError(`the source ${described} matches ${found.length} objects; say which with group, version or namespace`);
  const fieldPath = source.fieldPath || 'metadata.name';
  const values = lookup(found[0]!.object as unknown as Json, splitPath(fieldPath), false);
  const value = values[0]?.get();
  if (value === undefined || value === null || (typeof value === 'object' && Object.keys(value).length === 0)) {
    throw new ReplacementError(`the source ${described} has no ${fieldPath}`);
  }
  const options = source.options;
  if (!options?.delimiter) return value;
  if (typeof value === 'object') throw new ReplacementError('options.delimiter works on a single value, and the source field holds a map or list');
  const parts = String(value).split(options.delimiter);
  const index = options.index ?? 0;
  if (index < 0 || index >= parts.length) throw new ReplacementError(`options.index ${index} is out of range for the source value split at ${JSON.stringify(options.delimiter)}`);
  return parts[index]!;
}

function copyInto(r: Resource, path: string, value: Json, options: FieldOptions | undefined, t: number): void {
  const slots = lookup(r.object as unknown as Json, splitPath(path), options?.create === true);
  if (slots.length === 0) {
    throw new ReplacementError(
      `targets[${t}]: ${r.object.kind} ${r.object.metadata.name} has no field ${path}${options?.create ? ' and it cannot be created' : ' (options.create: true adds it)'}`,
    );
  }
  for (const slot of slots) {
    const old = slot.get();
    let next = structuredClone(value);
    if (options?.delimiter) {
      if (typeof old === 'object' && old !== null) throw new ReplacementError(`targets[${t}]: options.delimiter works on a single value, and ${path} holds a map or list`);
      const parts = old === undefined || old === null ? [''] : String(old).split(options.delimiter);
      const index = options.index ?? 0;
      const text = typeof next === 'object' ? JSON.stringify(next) : String(next);
      if (index < 0) parts.unshift(text);
      else if (index >= parts.length) parts.push(text);
      else parts[index] = text;
      next = parts.join(options.delimiter);
    }
    slot.set(typed(old, next));
  }
}

/** Into an existing scalar kustomize copies only the text: the field keeps its YAML type where the text allows it. */
function typed(old: Json | undefined, next: Json): Json {
  if (old === undefined || old === null || typeof old === 'object' || typeof next === 'object') return next;
  const text = String(next);
  if (typeof old === 'string') return text;
  if (typeof old === 'number') return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : text;
  return text === 'true' || text === 'false' ? text === 'true' : text;
}

/** A field path split at dots that are not inside `[...]`: `spec.containers.[name=app].image`. */
function splitPath(path: string): string[] {
  return splitTopLevel(path, '.', '[', ']').filter((p) => p !== '');
}

interface Slot {
  get(): Json | undefined;
  set(value: Json): void;
}

/** Every place `path` reaches (a list selector `[name=x]` or `*` may reach several), created on the way when `create`. */
function lookup(root: Json, path: string[], create: boolean): Slot[] {
  let nodes: Json[] = [root];
  for (const [i, part] of path.slice(0, -1).entries()) {
    const next: Json[] = [];
    const nextIsList = /^\[.*\]$/.test(path[i + 1]!) || path[i + 1] === '*';
    for (const node of nodes) next.push(...step(node, part, create, nextIsList));
    nodes = next;
  }
  const last = path.at(-1);
  if (last === undefined) return [];
  const slots: Slot[] = [];
  for (const node of nodes) {
    if (isMap(node) && !/^\[.*\]$/.test(last) && last !== '*') {
      if (node[last] === undefined && !create) continue;
      slots.push({
        get: () => node[last],
        set: (v) => {
          node[last] = v;
        },
      });
    } else if (Array.isArray(node)) {
      for (const index of indexes(node, last, create)) {
        slots.push({
          get: () => node[index],
          set: (v) => {
            node[index] = v;
          },
        });
      }
    }
  }
  return slots;
}

function step(node: Json, part: string, create: boolean, nextIsList: boolean): Json[] {
  if (isMap(node)) {
    if (/^\[.*\]$/.test(part) || part === '*') return part === '*' ? Object.values(node) : [];
    if (node[part] === undefined || node[part] === null) {
      if (!create) return [];
      node[part] = nextIsList ? [] : {};
    }
    return [node[part]!];
  }
  if (Array.isArray(node)) return indexes(node, part, create).map((i) => node[i]!);
  return [];
}

/** The items of a list a path part picks: `*`, a number, `[key=value]`, or `[=value]` for a list of scalars. */
function indexes(list: Json[], part: string, create: boolean): number[] {
  if (part === '*') return list.map((_, i) => i);
  if (/^\d+$/.test(part)) return Number(part) < list.length ? [Number(part)] : [];
  const m = /^\[([^=]*)=(.*)\]$/.exec(part);
  if (!m) return [];
  const [, key, value] = m as unknown as [string, string, string];
  const found = list.flatMap((item, i) => ((key === '' ? item : isMap(item) ? item[key] : undefined) !== undefined && String(key === '' ? item : (item as JsonMap)[key]) === value ? [i] : []));
  if (found.length > 0 || !create) return found;
  list.push(key === '' ? value : { [key]: value });
  return [list.length - 1];
}
