// Server-side apply and field ownership (managedFields), modelled on structured-merge-diff:
// an applier owns the fields of its applied configuration; Update writers own what they changed.
import { appliedSet, deepEqual, fromFieldsV1, isObj, keyPath, type Node, type Path, pathKey, toFieldsV1, valueAt, walk, itemKey } from './fields.ts';
import { child, type Schema } from './schema.ts';
import type { Obj } from './store.ts';

interface Manager {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  subresource?: string;
  set: Set<string>;
}

export interface Conflict {
  manager: Manager;
  path: Path;
}

let lastSecond = -1;
let lastStamp = '';
/** RFC 3339 with second precision, as metav1.Time serializes. */
export function now(): string {
  const second = Math.floor(Date.now() / 1000);
  if (second !== lastSecond) {
    lastSecond = second;
    lastStamp = new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  return lastStamp;
}

function readManagers(o: Obj | undefined): Manager[] {
  const list = o && isObj(o.metadata) && Array.isArray(o.metadata.managedFields) ? (o.metadata.managedFields as Obj[]) : [];
  return list.map((e) => ({
    manager: String(e.manager ?? ''),
    operation: e.operation === 'Apply' ? 'Apply' : 'Update',
    apiVersion: String(e.apiVersion ?? ''),
    time: String(e.time ?? ''),
    subresource: typeof e.subresource === 'string' ? e.subresource : undefined,
    set: fromFieldsV1(e.fieldsV1),
  }));
}

/** Writes managers into metadata.managedFields; managers that own nothing are dropped, as the server does. */
export function writeManagers(o: Obj, managers: Manager[]): void {
  const m = o.metadata as Obj;
  const entries = managers
    .filter((x) => x.set.size > 0)
    .map((x) => {
      const e: Obj = { manager: x.manager, operation: x.operation, apiVersion: x.apiVersion, time: x.time, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(x.set) };
      if (x.subresource) e.subresource = x.subresource;
      return e;
    });
  if (entries.length) m.managedFields = entries;
  else delete m.managedFields;
}

/** How a conflicting manager is named in messages: `"other"` for appliers, `"hand-edit" using v1` for updaters. */
export function managerLabel(m: Manager): string {
  return m.operation === 'Apply' ? `"${m.manager}"` : `"${m.manager}" using ${m.apiVersion}`;
}

function clone<T>(v: T): T {
  return v === undefined ? v : structuredClone(v);
}

function merge(s: Schema | undefined, live: unknown, applied: unknown): unknown {
  if (applied === undefined) return live;
  if (!s || applied === null || typeof applied !== 'object') return clone(applied);
  if (s.t === 'list') {
    if (s.type === 'atomic' || !Array.isArray(applied) || !Array.isArray(live)) return clone(applied);
    const out = live.map((x) => clone(x));
    for (const item of applied) {
      const k = itemKey(s, item);
      const i = out.findIndex((x) => itemKey(s, x) === k);
      if (i < 0) out.push(clone(item));
      else if (s.type === 'map') out[i] = merge(s.items, out[i], item);
    }
    return out;
  }
  if (s.t === 'scalar' || ((s.t === 'struct' || s.t === 'map') && s.atomic) || !isObj(applied) || !isObj(live)) return clone(applied);
  const out: Obj = { ...live };
  for (const [k, v] of Object.entries(applied)) out[k] = merge(child(s, k), live[k], v);
  return out;
}

function removeAt(s: Schema, obj: unknown, path: Path): void {
  if (path.length === 0) return;
  let parentSchema: Schema | undefined = s;
  let parent: unknown = obj;
  for (const seg of path.slice(0, -1)) {
    if (parent === undefined || parent === null || !parentSchema) return;
    if (seg.startsWith('f:')) {
      parentSchema = child(parentSchema, seg.slice(2));
      parent = (parent as Obj)[seg.slice(2)];
    } else {
      if (!Array.isArray(parent) || parentSchema.t !== 'list') return;
      const ls: Extract<Schema, { t: 'list' }> = parentSchema;
      parent = parent.find((x) => itemKey(ls, x) === seg);
      parentSchema = ls.items;
    }
  }
  const last = path[path.length - 1];
  if (last === undefined) return;
  if (last.startsWith('f:')) {
    if (isObj(parent)) delete parent[last.slice(2)];
  } else if (Array.isArray(parent) && parentSchema?.t === 'list') {
    const ls: Extract<Schema, { t: 'list' }> = parentSchema;
    const i = parent.findIndex((x) => itemKey(ls, x) === last);
    if (i >= 0) parent.splice(i, 1);
  }
}

interface ApplyInput {
  schema: Schema;
  live: Obj | undefined;
  applied: Obj;
  manager: string;
  apiVersion: string;
  force: boolean;
}

type ApplyOutcome = { ok: true; object: Obj; managers: Manager[] } | { ok: false; conflicts: Conflict[] };

export function apply(input: ApplyInput): ApplyOutcome {
  const { schema, live, applied, manager, apiVersion, force } = input;
  const managers = readManagers(live);
  const newSet = appliedSet(schema, applied);
  const leaves = new Map<string, Node>();
  for (const n of walk(schema, applied)) if (n.leaf) leaves.set(pathKey(n.path), n);
  const isSelf = (m: Manager) => m.manager === manager && m.operation === 'Apply' && !m.subresource;

  const conflicts: Conflict[] = [];
  for (const m of managers) {
    if (isSelf(m)) continue;
    for (const k of m.set) {
      const n = leaves.get(k);
      if (!n || !newSet.has(k)) continue;
      if (!deepEqual(valueAt(schema, live, n.path), n.value)) conflicts.push({ manager: m, path: n.path });
    }
  }
  if (conflicts.length && !force) return { ok: false, conflicts };
  for (const c of conflicts) c.manager.set.delete(pathKey(c.path));

  const object = merge(schema, live ?? {}, applied) as Obj;
  let self = managers.find(isSelf);
  const previous = self?.set ?? new Set<string>();
  const removed = [...previous].filter((k) => !newSet.has(k) && !managers.some((m) => !isSelf(m) && m.set.has(k)));
  removed.sort((a, b) => a.length - b.length);
  for (const k of removed) removeAt(schema, object, keyPath(k));
  if (!self) {
    self = { manager, operation: 'Apply', apiVersion, time: now(), set: newSet };
    managers.push(self);
  } else {
    self.set = newSet;
    self.apiVersion = apiVersion;
  }
  return { ok: true, object, managers };
}

/** Ownership after a non-apply write: the writer takes every field it added or changed; removed fields lose their owners. */
const pointerStructs = new Set(['f:rollingUpdate', 'f:valueFrom', 'f:livenessProbe', 'f:readinessProbe', 'f:startupProbe', 'f:lifecycle', 'f:affinity', 'f:dnsConfig', 'f:sessionAffinityConfig', 'f:persistentVolumeClaimRetentionPolicy']);

export function recordUpdate(schema: Schema, before: Obj | undefined, after: Obj, manager: string, apiVersion: string, subresource?: string): Manager[] {
  const managers = readManagers(before);
  const oldNodes = new Map<string, Node>();
  const skipStatus = subresource !== 'status';
  for (const n of walk(schema, before ?? {}, { skipStatus })) oldNodes.set(pathKey(n.path), n);
  const changed = new Set<string>();
  const present = new Set<string>();
  for (const n of walk(schema, after, { skipStatus })) {
    const k = pathKey(n.path);
    present.add(k);
    const old = oldNodes.get(k);
    if (n.leaf) {
      if (!old || !deepEqual(old.value, n.value)) changed.add(k);
      continue;
    }
    // new maps, lists, list items and optional (pointer) structs are owned as nodes too; other structs and
    // non-omitempty lists exist in an empty Go object already
    const s = schemaAt(schema, n.path);
    const field = n.path[n.path.length - 1];
    const implicit = n.marker ? false : s?.t === 'struct' ? field === undefined || !pointerStructs.has(field) : s?.t === 'list' && field === 'f:containers';
    if (!old && !implicit && (n.marker || s?.t === 'map' || s?.t === 'list' || s?.t === 'deduced' || s?.t === 'struct')) changed.add(k);
  }
  const dropped = (k: string) => !present.has(k);
  for (const m of managers) {
    for (const k of m.set) if (changed.has(k) || dropped(k)) m.set.delete(k);
  }
  if (changed.size) {
    let mine = managers.find((m) => m.manager === manager && m.operation === 'Update' && m.subresource === subresource);
    if (!mine) {
      mine = { manager, operation: 'Update', apiVersion, time: now(), subresource, set: new Set() };
      managers.push(mine);
    }
    for (const k of changed) mine.set.add(k);
    mine.time = now();
    mine.apiVersion = apiVersion;
  }
  return managers;
}

function schemaAt(schema: Schema, path: Path): Schema | undefined {
  let s: Schema | undefined = schema;
  for (const seg of path) {
    if (!s) return undefined;
    s = seg.startsWith('f:') ? child(s, seg.slice(2)) : s.t === 'list' ? s.items : undefined;
  }
  return s;
}
