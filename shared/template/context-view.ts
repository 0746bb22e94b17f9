/**
 * raymond looks a field up with its first letter upper-cased (Go exported fields), so drone-slack
 * templates may say `{{build.status}}`, `{{Build.Status}}` or `{{build.Status}}`, but not
 * `{{BUILD.status}}`. handlebars.js matches keys exactly, so we add the other spelling as an alias.
 *
 * Aliases are own, non-enumerable data properties: handlebars reads own properties (it denies
 * prototype getters), while `{{#each}}`, `toJson` and JSON.stringify still see the original keys only.
 */

/** Turns a context into one where `lowerFirst` and `UpperFirst` spellings of every key resolve. */
export function templateView(value: unknown): unknown {
  return view(value, new WeakMap());
}

function view(value: unknown, seen: WeakMap<object, unknown>): unknown {
  if (Array.isArray(value)) {
    const known = seen.get(value);
    if (known) return known;
    const out: unknown[] = [];
    seen.set(value, out);
    for (const item of value) out.push(view(item, seen));
    return out;
  }
  if (!isViewable(value)) return value;
  const known = seen.get(value);
  if (known) return known;
  const out: Record<string, unknown> = {};
  seen.set(value, out);
  const source = value as Record<string, unknown>;
  const keys = Object.keys(source).filter((k) => k !== 'toString');
  for (const key of keys) out[key] = view(source[key], seen);
  for (const key of keys) {
    for (const alias of [lowerFirst(key), upperFirst(key)]) {
      if (!Object.hasOwn(out, alias)) {
        Object.defineProperty(out, alias, { value: out[key], enumerable: false, writable: true, configurable: true });
      }
    }
  }
  // Objects such as build.author print through toString (raymond uses Go's Stringer the same way).
  if (typeof source.toString === 'function' && source.toString !== Object.prototype.toString) {
    const text = String(value);
    Object.defineProperty(out, 'toString', { value: () => text, enumerable: false });
  }
  return out;
}

/** Plain objects and class instances; Dates, Maps, functions and the like pass through untouched. */
function isViewable(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto === null || proto === Object.prototype) return true;
  return !(
    value instanceof Date ||
    value instanceof Map ||
    value instanceof Set ||
    value instanceof RegExp ||
    ArrayBuffer.isView(value) ||
    typeof (value as { toHTML?: unknown }).toHTML === 'function'
  );
}

const upperFirst = (key: string) => key.charAt(0).toUpperCase() + key.slice(1);
const lowerFirst = (key: string) => key.charAt(0).toLowerCase() + key.slice(1);
