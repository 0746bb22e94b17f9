import { PluginError } from '../../../shared/errors.ts';
import { keepAnnotationTexts } from './annotation-values.ts';
import { loadBoundedYaml, nodeBudget, YamlLimitError } from '../../../shared/yaml.ts';
import type { Schema } from 'js-yaml';
import { type Doc, type KubeObject, splitDocuments } from '../manifests.ts';
import { locateField } from '../source-line.ts';
import { KUSTOMIZE_SCHEMA } from './go-timestamp.ts';
import { GO_YAML_V2_SCHEMA } from './go-yaml-v2.ts';
import { applyJson6902, Json6902Error, type Operation } from './json6902.ts';
import { isMap, type JsonMap, StrategicMergeError, strategicMerge } from './strategic-merge.ts';
import { currentId, idKey } from './resource.ts';
import { selected, TargetError } from './target.ts';
import { checkPatchFields } from './transform-fields.ts';
import type { KustomizationFile, Loader, Patch, Resource } from './types.ts';

type PatchField = 'patchesStrategicMerge' | 'patches' | 'patchesJson6902';

/** A patch read from where it was written, and the words that name it in an error. */
interface PatchText {
  readonly text: string;
  /** `deploy/kustomization.yaml:12: patches[0]` or the patch file's path. */
  readonly at: string;
}

type Parsed = { readonly json: Operation[] } | { readonly merges: JsonMap[] };

/**
 * One patch field of `k` applied to `resources`, at its place in kustomize's order
 * (patchesStrategicMerge, patches, ... patchesJson6902 after labels and annotations).
 * Called only when `k` has the field.
 */
export function applyPatches(resources: Resource[], k: KustomizationFile, loader: Loader, field: PatchField): Resource[] {
  let out = resources;
  const line = (locateField(k.text, field) ?? 0) + 1;
  if (field !== 'patchesStrategicMerge') checkPatchFields(k, field);
  if (field === 'patchesStrategicMerge') {
    for (const [i, entry] of (k.kustomization.patchesStrategicMerge ?? []).entries()) {
      const at = `${k.file}:${line}: ${field}[${i}]`;
      const text = isInline(entry) ? { text: entry, at } : fromFile(loader, entry, `${field}[${i}]`);
      for (const patch of asMerges(parse(text), text.at)) out = mergeById(out, copiedMetadata(patch), text.at);
    }
    return out;
  }
  for (const [i, entry] of ((field === 'patches' ? k.kustomization.patches : k.kustomization.patchesJson6902) ?? []).entries()) {
    const at = `${k.file}:${line}: ${field}[${i}]`;
    out = applyOne(out, entry, patchText(entry, loader, `${field}[${i}]`, at), field === 'patchesJson6902', at);
  }
  return out;
}

/** kustomize reads an entry of patchesStrategicMerge as a patch when it is not a file name. */
function isInline(entry: string): boolean {
  return entry.includes('\n') || /^\s*[{[]/.test(entry) || /^\s*(apiVersion|kind|metadata)\s*:/.test(entry);
}

function patchText(entry: Patch, loader: Loader, field: string, at: string): PatchText {
  if (entry.patch !== undefined && entry.path !== undefined) throw new PluginError(`${at}: give path or patch, not both`);
  if (entry.patch !== undefined) return { text: String(entry.patch), at };
  if (entry.path !== undefined) return fromFile(loader, entry.path, `${field}.path`);
  throw new PluginError(`${at}: needs path or patch`);
}

function fromFile(loader: Loader, path: string, field: string): PatchText {
  const file = loader.readFile(path, field);
  return { text: file.text, at: file.shown };
}

/** A JSON 6902 patch is a list of operations; anything else is one or more strategic merge patches. */
function parse(patch: PatchText): Parsed {
  const budget = nodeBudget();
  const texts = splitDocuments(patch.text).filter((doc) => /^[ \t]*[^\s#]/m.test(doc.text));
  const load = (doc: Doc, schema?: Schema) => {
    try {
      return loadBoundedYaml(doc.text, budget, patch.at, schema);
    } catch (err) {
      if (err instanceof YamlLimitError) throw new PluginError(`${patch.at}: refused: ${err.message}`);
      const e = err as { reason?: string; mark?: { line: number }; message: string };
      throw new PluginError(`${patch.at}: line ${doc.line + (e.mark?.line ?? 0)} of the patch: invalid YAML: ${e.reason ?? e.message}`);
    }
  };
  const docs = texts.map((doc) => load(doc, KUSTOMIZE_SCHEMA));
  if (docs.length === 1 && Array.isArray(docs[0])) {
    // kustomize reads a JSON 6902 patch with go-yaml v2, whose scalars are YAML 1.1's.
    const operations = load(texts[0]!, GO_YAML_V2_SCHEMA) as unknown[];
    const bad = operations.findIndex((op) => !isMap(op));
    if (bad >= 0) throw new PluginError(`${patch.at}: operation ${bad + 1} of the JSON 6902 patch is not a map`);
    return { json: operations as Operation[] };
  }
  const bad = docs.findIndex((d) => !isMap(d));
  if (bad >= 0) throw new PluginError(`${patch.at}: document ${bad + 1} is neither a strategic merge patch (a map) nor a list of JSON 6902 operations`);
  if (docs.length === 0) throw new PluginError(`${patch.at}: the patch is empty`);
  for (const [i, doc] of docs.entries()) keepAnnotationTexts(doc, texts[i]!.text);
  return { merges: docs as JsonMap[] };
}

function asMerges(parsed: Parsed, at: string): JsonMap[] {
  if ('json' in parsed) throw new PluginError(`${at}: a JSON 6902 patch needs a target: write it under patches with target:`);
  return parsed.merges;
}

function applyOne(resources: Resource[], entry: Patch, text: PatchText, legacyJson: boolean, at: string): Resource[] {
  const parsed = parse(text);
  const allowName = entry.options?.allowNameChange === true;
  const allowKind = entry.options?.allowKindChange === true;
  if (legacyJson && !('json' in parsed)) throw new PluginError(`${text.at}: patchesJson6902 takes a list of JSON 6902 operations`);
  if (!entry.target) {
    if ('json' in parsed) throw new PluginError(`${at}: a JSON 6902 patch needs a target`);
    let out = resources;
    for (const patch of parsed.merges) out = mergeById(out, patch, text.at, allowName, allowKind);
    return out;
  }
  let targets: Resource[];
  try {
    targets = selected(resources, entry.target);
  } catch (err) {
    if (err instanceof TargetError) throw new PluginError(`${at}: target: ${err.message}`);
    throw err;
  }
  if ('merges' in parsed && parsed.merges.length > 1) throw new PluginError(`${at}: a patch with a target holds one strategic merge patch, this one has ${parsed.merges.length}`);
  const deleted = new Set<Resource>();
  for (const r of targets) {
    const before = currentId(r);
    let after: JsonMap | undefined;
    if ('json' in parsed) {
      try {
        after = applyJson6902(r.object as unknown as JsonMap, parsed.json);
      } catch (err) {
        if (err instanceof Json6902Error) throw new PluginError(`${text.at}: on ${before.kind} ${before.name}: ${err.message}`);
        throw err;
      }
    } else after = mergeInto(r.object, copiedMetadata(parsed.merges[0]!), allowName, allowKind, text.at);
    if (after === undefined) deleted.add(r);
    else replaceObject(r, after, before);
  }
  return resources.filter((r) => !deleted.has(r));
}

/**
 * A strategic merge patch applied to the object it names (kustomize's GetById: same group,
 * version and kind, the name the object has or had, namespace "" and "default" alike).
 */
function mergeById(resources: Resource[], patch: JsonMap, at: string, allowName = false, allowKind = false): Resource[] {
  const meta = (patch.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  const wanted = { apiVersion: String(patch.apiVersion), kind: String(patch.kind), name: String(meta.name), namespace: typeof meta.namespace === 'string' ? meta.namespace : undefined };
  const id = `${wanted.kind}.${wanted.apiVersion}/${wanted.name}`;
  const matches = resources.filter((r) => [currentId(r), r.origin, ...r.previous].some((other) => idKey(other) === idKey(wanted)));
  if (matches.length !== 1) {
    throw new PluginError(
      matches.length === 0 ? `${at}: no object matches the strategic merge patch of ${id}` : `${at}: ${matches.length} objects match the strategic merge patch of ${id}; give its namespace`,
      { hint: 'A patch names its object by apiVersion, kind and metadata.name (as written in its base), or says which objects with target:.' },
    );
  }
  const r = matches[0]!;
  const before = currentId(r);
  const after = mergeInto(r.object, patch, allowName, allowKind, at);
  if (after === undefined) return resources.filter((x) => x !== r);
  replaceObject(r, after, before);
  return resources;
}

/** kustomize keeps the object's apiVersion, kind, name and namespace unless the options allow a change. */
function mergeInto(object: KubeObject, patch: JsonMap, allowName: boolean, allowKind: boolean, at: string): JsonMap | undefined {
  let merged: JsonMap | undefined;
  try {
    merged = strategicMerge(object as unknown as JsonMap, { ...patch, apiVersion: object.apiVersion, kind: allowKind ? (patch.kind ?? object.kind) : object.kind });
  } catch (err) {
    if (err instanceof StrategicMergeError) throw new PluginError(`${at}: on ${object.kind} ${object.metadata.name}: ${err.path.join('.')}: ${err.message}`);
    throw err;
  }
  if (merged === undefined || Object.keys(merged).length === 0) return undefined;
  const metadata = (merged.metadata ?? {}) as JsonMap;
  merged.metadata = metadata;
  if (!allowName) setOrDelete(metadata, 'name', object.metadata.name);
  setOrDelete(metadata, 'namespace', object.metadata.namespace);
  // kustomize drops an empty annotations map when it strips its own annotations at the end.
  if (isMap(metadata.annotations) && Object.keys(metadata.annotations).length === 0) delete metadata.annotations;
  return merged;
}

/**
 * patchesStrategicMerge and a patch with a target reach kustomize through a copy of the patch
 * whose labels and annotations are read as strings (`null` becomes "null", 1 becomes "1"), so
 * a null there does not delete the entry as it does in an untargeted entry of `patches`.
 */
function copiedMetadata(patch: JsonMap): JsonMap {
  if (!isMap(patch.metadata)) return patch;
  const metadata = { ...patch.metadata };
  for (const key of ['labels', 'annotations']) {
    const map = metadata[key];
    if (isMap(map)) metadata[key] = Object.fromEntries(Object.entries(map).map(([k, v]) => [k, v === null || typeof v !== 'object' ? String(v) : v]));
  }
  return { ...patch, metadata };
}

function setOrDelete(map: JsonMap, key: string, value: string | undefined): void {
  if (value === undefined) delete map[key];
  else map[key] = value;
}

/** A patch that renames or re-kinds an object leaves its old id behind, so references to it still match. */
function replaceObject(r: Resource, after: JsonMap, before: ReturnType<typeof currentId>): void {
  r.object = after as unknown as KubeObject;
  const now = currentId(r);
  if (now.name !== before.name || now.kind !== before.kind || now.namespace !== before.namespace) r.previous.push(before);
}
