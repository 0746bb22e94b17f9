// Field paths and field sets in the FieldsV1 encoding used by managedFields
// ("f:name" struct/map field, "k:{...}" list item by key, "v:..." set item, "." the node itself).
import { child, type Schema } from './schema.ts';

export type Path = string[];
type Obj = Record<string, unknown>;

// Identity and bookkeeping fields that managedFields never track.
const untrackedMeta = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds']);

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

export function itemKey(schema: Extract<Schema, { t: 'list' }>, item: unknown): string {
  if (schema.type === 'set') return `v:${JSON.stringify(item)}`;
  const rec = isObj(item) ? item : {};
  const parts: string[] = [];
  for (const k of schema.keys ?? []) {
    const v = rec[k] ?? schema.keyDefaults?.[k];
    if (v !== undefined) parts.push(`${JSON.stringify(k)}:${JSON.stringify(v)}`);
  }
  return `k:{${parts.join(',')}}`;
}

export interface Node {
  path: Path;
  value: unknown;
  /** leaf: a scalar, an atomic value or an empty container; tracked as a field of its own */
  leaf: boolean;
  /** list items and untyped maps are also tracked as nodes ("." in FieldsV1) when applied */
  marker: boolean;
}

/** Every node of an object (metadata identity fields excluded), with its schema-derived role. */
export function walk(schema: Schema, obj: unknown, opts: { skipStatus?: boolean } = {}): Node[] {
  const out: Node[] = [];
  const visit = (s: Schema | undefined, v: unknown, path: Path, top: boolean) => {
    if (!s) return;
    const atomic = s.t === 'scalar' || (s.t === 'list' && s.type === 'atomic') || ((s.t === 'struct' || s.t === 'map') && s.atomic);
    if (atomic || v === null || typeof v !== 'object') {
      if (!top) out.push({ path, value: v, leaf: true, marker: false });
      return;
    }
    if (Array.isArray(v)) {
      if (s.t !== 'list') {
        out.push({ path, value: v, leaf: true, marker: false });
        return;
      }
      if (!top) out.push({ path, value: v, leaf: v.length === 0, marker: false });
      for (const item of v) {
        const p = [...path, itemKey(s, item)];
        if (s.type === 'set') {
          out.push({ path: p, value: item, leaf: true, marker: false });
          continue;
        }
        out.push({ path: p, value: item, leaf: false, marker: true });
        visit(s.items, item, p, true);
      }
      return;
    }
    const entries = Object.entries(v as Obj).filter(([, x]) => x !== undefined);
    if (!top) out.push({ path, value: v, leaf: entries.length === 0, marker: s.t === 'deduced' && entries.length > 0 });
    for (const [k, x] of entries) {
      if (path.length === 0 && (k === 'apiVersion' || k === 'kind' || (k === 'status' && opts.skipStatus))) continue;
      if (path.length === 1 && path[0] === 'f:metadata' && untrackedMeta.has(k)) continue;
      visit(child(s, k), x, [...path, `f:${k}`], false);
    }
  };
  visit(schema, obj, [], true);
  return out;
}

export const pathKey = (p: Path): string => p.join('\u0000');
export const keyPath = (k: string): Path => k.split('\u0000');

/** The field set an applier owns: leaves plus list-item and untyped-map markers. */
export function appliedSet(schema: Schema, obj: unknown): Set<string> {
  const s = new Set<string>();
  for (const n of walk(schema, obj, {})) if (n.leaf || n.marker) s.add(pathKey(n.path));
  return s;
}

export function toFieldsV1(set: Set<string>): Obj {
  const root: Obj = {};
  const nodeAt = (k: string) => {
    let node = root;
    for (const seg of keyPath(k)) {
      if (!isObj(node[seg])) node[seg] = {};
      node = node[seg] as Obj;
    }
    return node;
  };
  for (const k of set) nodeAt(k);
  // a node that is owned itself and also has owned children is written as "." next to the children
  for (const k of set) {
    const node = nodeAt(k);
    if (Object.keys(node).some((x) => x !== '.')) node['.'] = {};
  }
  return sortKeys(root);
}

function sortKeys(o: Obj): Obj {
  const out: Obj = {};
  for (const k of Object.keys(o).sort()) out[k] = sortKeys(o[k] as Obj);
  return out;
}

export function fromFieldsV1(f: unknown): Set<string> {
  const set = new Set<string>();
  const visit = (node: Obj, path: Path) => {
    for (const [seg, sub] of Object.entries(node)) {
      if (seg === '.') {
        set.add(pathKey(path));
        continue;
      }
      const p = [...path, seg];
      if (!isObj(sub) || Object.keys(sub).length === 0) set.add(pathKey(p));
      else visit(sub, p);
    }
  };
  if (isObj(f)) visit(f, []);
  return set;
}

/** ".spec.template.spec.containers[name=\"app\"].image", the form conflict and typed-merge errors use. */
export function pathString(p: Path): string {
  return p
    .map((seg) => {
      if (seg.startsWith('f:')) return `.${seg.slice(2)}`;
      if (seg.startsWith('v:')) return `[=${seg.slice(2)}]`;
      const keys = JSON.parse(seg.slice(2)) as Obj;
      return `[${Object.entries(keys)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    })
    .join('');
}

/** The value at a path, or undefined when absent. */
export function valueAt(schema: Schema, obj: unknown, path: Path): unknown {
  let s: Schema | undefined = schema;
  let v: unknown = obj;
  for (const seg of path) {
    if (v === undefined || v === null || !s) return undefined;
    if (seg.startsWith('f:')) {
      if (!isObj(v)) return undefined;
      const k = seg.slice(2);
      s = child(s, k);
      v = v[k];
    } else {
      if (!Array.isArray(v) || s.t !== 'list') return undefined;
      const ls: Extract<Schema, { t: 'list' }> = s;
      v = v.find((item) => itemKey(ls, item) === seg);
      s = ls.items;
    }
  }
  return v;
}
