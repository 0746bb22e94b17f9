import { type FieldSchema, schemaOf } from './patch-schema.ts';

/**
 * A strategic merge patch as kustomize v5 applies it (kyaml's merge2, lists prepended), which is
 * not quite the API server's: `$retainKeys`, `$setElementOrder` and `$deleteFromPrimitiveList`
 * are not directives there but ordinary fields, copied into the object; merged list items are put
 * in the patch's order ahead of the rest. `null` deletes a field; `$patch: replace` replaces a map
 * or (as an item of its own) a list; `$patch: delete` removes a map, a list item or the object.
 */
export type Json = null | boolean | number | string | Json[] | JsonMap;
export interface JsonMap {
  [key: string]: Json;
}

const REMOVE = Symbol('remove');

/** A patch giving a map, a list or a scalar where the object has another of the three, as kyaml refuses it. */
export class StrategicMergeError extends Error {
  readonly path: string[] = [];
}

const shapeOf = (v: Json) => (Array.isArray(v) ? 'a list' : isMap(v) ? 'a map' : 'a single value');

/** `target` with `patch` applied (neither is changed), or undefined when the patch deletes it. */
export function strategicMerge(target: JsonMap, patch: JsonMap): JsonMap | undefined {
  if (patch.$patch === 'delete') return undefined;
  const merged = mergeValue(structuredClone(target), patch, schemaOf(target.apiVersion, target.kind));
  return merged === REMOVE || !isMap(merged) ? undefined : merged;
}

export function isMap(v: unknown): v is JsonMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergeValue(dest: Json | undefined, patch: Json, schema: FieldSchema | undefined): Json | typeof REMOVE {
  if (patch === null) return REMOVE;
  if (dest !== undefined && dest !== null && shapeOf(dest) !== shapeOf(patch)) {
    throw new StrategicMergeError(`the patch gives ${shapeOf(patch)} where the object has ${shapeOf(dest)}`);
  }
  if (isMap(patch)) {
    if (patch.$patch === 'delete') return REMOVE;
    if (patch.$patch === 'replace') return mergeMap({}, patch, schema);
    return mergeMap(isMap(dest) ? dest : {}, patch, schema);
  }
  if (Array.isArray(patch)) {
    const list = schema?.list;
    if (!list) return structuredClone(patch);
    const replaced = patch.some((item) => isMap(item) && item.$patch === 'replace');
    const items = patch.filter((item) => !(isMap(item) && item.$patch === 'replace'));
    // With no item giving a second key (no port names its protocol), kyaml merges by the first alone.
    const secondKeys = list.keys.slice(1);
    const several = [...(Array.isArray(dest) ? dest : []), ...patch].some((item) => secondKeys.some((k) => keyOf(item, k) !== undefined));
    if (replaced || !Array.isArray(dest)) {
      // kyaml keeps a new `$patch: delete` item that lacks one of several keys, without the directive.
      return fresh(several ? items.map((item) => (isDelete(item) && !hasKeys(item, list.keys) ? undeleted(item) : item)) : items, list.items);
    }
    if (list.keys.length === 0) return [...new Map([...patch, ...dest].map((v) => [JSON.stringify(v), v])).values()];
    return several ? mergeByKeys(dest, patch, list.keys, list.items) : mergeByKey(dest, patch, list.keys[0]!, list.items);
  }
  return patch;
}

/** Changes `dest` in place: kyaml merges into the object's own nodes. */
function mergeMap(dest: JsonMap, patch: JsonMap, schema: FieldSchema | undefined): JsonMap {
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch') continue;
    let merged: Json | typeof REMOVE;
    try {
      merged = mergeValue(dest[key], value, schema?.fields?.[key]);
    } catch (err) {
      if (err instanceof StrategicMergeError) err.path.unshift(key);
      throw err;
    }
    if (merged === REMOVE) delete dest[key];
    else dest[key] = merged;
  }
  return dest;
}

/** Items new to a list: merged into nothing, so their nulls and directives do not reach the object. */
function fresh(items: Json[], schema: FieldSchema | undefined): Json[] {
  const out: Json[] = [];
  for (const item of items) {
    const merged = mergeValue(undefined, item, schema);
    if (merged !== REMOVE) out.push(merged);
  }
  return out;
}

const isDelete = (item: Json) => isMap(item) && item.$patch === 'delete';
const hasKeys = (item: Json, keys: readonly string[]) => keys.every((k) => keyOf(item, k) !== undefined);

function undeleted(item: Json): Json {
  const { $patch: _, ...rest } = item as JsonMap;
  return rest;
}

const keyOf = (item: Json, key: string): string | undefined => {
  const v = isMap(item) ? item[key] : undefined;
  return v === undefined || v === null ? undefined : String(v);
};

/**
 * One merge key: the patch's items first, in its order, then those only the object has. An item
 * without the key (in the patch or the object) makes kyaml drop, at that point, every item of the
 * object not merged yet; items without the key are kept only from the object, at the end.
 */
function mergeByKey(dest: Json[], patch: Json[], key: string, items: FieldSchema | undefined): Json[] {
  const order = new Set<string | undefined>();
  const byKey = (list: Json[]) => {
    const found = new Map<string, JsonMap>();
    for (const item of list) {
      const k = keyOf(item, key);
      order.add(k);
      if (k !== undefined && !found.has(k)) found.set(k, item as JsonMap);
    }
    return found;
  };
  const patched = byKey(patch);
  const existing = byKey(dest);
  const out: Json[] = [];
  for (const k of order) {
    if (k === undefined) {
      existing.clear();
      continue;
    }
    const p = patched.get(k);
    const d = existing.get(k);
    if (!p && !d) continue;
    const merged = p ? mergeValue(d, p, items) : d!;
    if (merged !== REMOVE && !(isMap(merged) && Object.keys(merged).length === 0)) out.push(merged);
  }
  out.push(...dest.filter((item) => keyOf(item, key) === undefined));
  return out;
}

/**
 * Several merge keys (ports by number and protocol), as kyaml does it: an item merges into the
 * one whose keys all equal its own (absent equals absent); an item that only agrees with one on the
 * keys both have (`port: 80, protocol: TCP` against `port: 80`) is dropped; any other is new, and
 * put first. The object's items keep their order. (Found by comparing with kubectl kustomize.)
 */
function mergeByKeys(dest: Json[], patch: Json[], keys: readonly string[], items: FieldSchema | undefined): Json[] {
  const same = (a: Json, b: Json) => keys.every((k) => keyOf(a, k) === keyOf(b, k));
  const agree = (a: Json, b: Json) =>
    keyOf(a, keys[0]!) === keyOf(b, keys[0]!) && keys.every((k) => keyOf(a, k) === undefined || keyOf(b, k) === undefined || keyOf(a, k) === keyOf(b, k));
  // A `$patch: delete` item deletes only when it gives every key; else kyaml ignores it.
  const effective = patch.filter((p) => !isDelete(p) || hasKeys(p, keys));
  const added = effective.filter((p) => !isDelete(p) && !dest.some((d) => agree(d, p)));
  const out = fresh(added, items);
  for (const d of dest) {
    const p = effective.find((item) => same(item, d));
    const merged = p === undefined ? d : mergeValue(d, p, items);
    if (merged !== REMOVE) out.push(merged);
  }
  return out;
}
