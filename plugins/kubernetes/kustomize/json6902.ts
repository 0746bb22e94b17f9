import { isDeepStrictEqual } from 'node:util';
import { MAX_YAML_NODES } from '../../../shared/limits.ts';
import { isMap, type Json, type JsonMap } from './strategic-merge.ts';

/** One RFC 6902 operation as written; checked by `applyJson6902`. */
export type Operation = Record<string, unknown>;

/** Why an operation does not apply, worded as kustomize (evanphx/json-patch) words it. */
export class Json6902Error extends Error {}

/**
 * `doc` with the RFC 6902 operations applied in order (a copy: `doc` is unchanged). Paths are
 * JSON pointers (`~1` for `/`, `~0` for `~`); `-` appends to a list; `replace` and `remove` need the
 * path to exist, as in kustomize.
 */
export function applyJson6902(doc: JsonMap, operations: readonly Operation[]): JsonMap {
  let root: Json = structuredClone(doc);
  let size = nodes(root);
  for (const [i, op] of operations.entries()) {
    const at = `operation ${i + 1} (${String(op.op)} ${String(op.path)})`;
    try {
      // Each copy can double the document: 40 of them would need more memory than there is.
      if (op.op === 'copy' || op.op === 'add') size += op.op === 'add' ? nodes(op.value as Json) : nodes(get(root, pointer(op.from, 'from')));
      if (size > MAX_YAML_NODES) throw new Json6902Error(`the document would grow past ${MAX_YAML_NODES.toLocaleString('en')} nodes`);
      root = applyOne(root, op);
    } catch (err) {
      if (err instanceof Json6902Error) throw new Json6902Error(`${at}: ${err.message}`);
      throw err;
    }
  }
  if (!isMap(root)) throw new Json6902Error('the patch leaves no object');
  return root;
}

function nodes(value: Json | undefined): number {
  if (typeof value !== 'object' || value === null) return 1;
  let n = 1;
  for (const child of Array.isArray(value) ? value : Object.values(value)) n += nodes(child);
  return n;
}

function applyOne(root: Json, op: Operation): Json {
  const path = pointer(op.path, 'path');
  switch (op.op) {
    case 'add':
      return add(root, path, operand(op));
    case 'remove':
      return remove(root, path);
    case 'replace':
      return replace(root, path, operand(op));
    case 'move': {
      const from = pointer(op.from, 'from');
      const value = get(root, from);
      return add(remove(root, from), path, value);
    }
    case 'copy':
      return add(root, path, structuredClone(get(root, pointer(op.from, 'from'))));
    case 'test': {
      const actual = get(root, path, true);
      if (!isDeepStrictEqual(actual, operand(op))) throw new Json6902Error('the test failed: the value differs');
      return root;
    }
    default:
      throw new Json6902Error(`unknown op ${JSON.stringify(op.op)}: expected add, remove, replace, move, copy or test`);
  }
}

function operand(op: Operation): Json {
  if (!('value' in op)) throw new Json6902Error('it has no value');
  return structuredClone(op.value as Json);
}

function pointer(value: unknown, field: string): string[] {
  if (typeof value !== 'string') throw new Json6902Error(`${field} must be a JSON pointer`);
  if (value === '') return [];
  if (!value.startsWith('/')) throw new Json6902Error(`${field} ${JSON.stringify(value)} must start with /`);
  return value
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** A list index; negative ones count from the end, as kustomize's json-patch allows. */
function index(list: Json[], token: string, forAdd: boolean): number {
  if (forAdd && token === '-') return list.length;
  if (!/^-?(0|[1-9][0-9]*)$/.test(token)) throw new Json6902Error(`${JSON.stringify(token)} is not a list index`);
  const n = Number(token);
  // For add, -1 is after the last item (the list's length plus one positions).
  const i = n < 0 ? n + list.length + (forAdd ? 1 : 0) : n;
  if (i < 0 || i > list.length || (!forAdd && i === list.length)) throw new Json6902Error(`index ${n} is out of range (the list has ${list.length} items)`);
  return i;
}

/** The container of the pointer's last token. */
function parent(root: Json, path: string[]): Json {
  let node = root;
  for (const token of path.slice(0, -1)) {
    const next: Json | undefined = Array.isArray(node) ? node[index(node, token, false)] : isMap(node) ? node[token] : undefined;
    if (next === undefined) throw new Json6902Error(`the document is missing the path /${path.join('/')}`);
    node = next;
  }
  return node;
}

function get(root: Json, path: string[], missingIsUndefined = false): Json {
  if (path.length === 0) return root;
  const node = parent(root, path);
  const last = path.at(-1)!;
  if (Array.isArray(node)) return node[index(node, last, false)]!;
  const value = isMap(node) ? node[last] : undefined;
  if (value === undefined) {
    if (missingIsUndefined) return null;
    throw new Json6902Error(`the document is missing the path /${path.join('/')}`);
  }
  return value;
}

/** In a map, replacing a key that is not there adds it, as kustomize's json-patch does. */
function replace(root: Json, path: string[], value: Json): Json {
  if (path.length === 0) return value;
  const node = parent(root, path);
  const last = path.at(-1)!;
  if (Array.isArray(node)) node[index(node, last, false)] = value;
  else if (isMap(node)) node[last] = value;
  else throw new Json6902Error(`the document is missing the path /${path.join('/')}`);
  return root;
}

function add(root: Json, path: string[], value: Json): Json {
  if (path.length === 0) return value;
  const node = parent(root, path);
  const last = path.at(-1)!;
  if (Array.isArray(node)) node.splice(index(node, last, true), 0, value);
  else if (isMap(node)) node[last] = value;
  else throw new Json6902Error(`the document is missing the path /${path.join('/')}`);
  return root;
}

function remove(root: Json, path: string[]): Json {
  if (path.length === 0) return null;
  const node = parent(root, path);
  const last = path.at(-1)!;
  if (Array.isArray(node)) node.splice(index(node, last, false), 1);
  else if (isMap(node) && Object.hasOwn(node, last)) delete node[last];
  else throw new Json6902Error(`the document is missing the path /${path.join('/')}`);
  return root;
}
