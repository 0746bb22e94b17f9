/**
 * What the build (scripts/build/lazy-code.ts) puts in a bundle in place of code that a step may
 * never run: the code as a string, compiled on first use. V8 compiles the whole text of a bundle at
 * start, functions that never run included; a string is only scanned.
 */

/**
 * A chunk's code as the build stores it: brotli in base64. Even a string costs its scan at every
 * start (email's 660 KB of SMTP and HTML code: 5 ms of CPU); packed, a quarter of it.
 */
export function unpackChunk(packed: string): string {
  return process.getBuiltinModule('node:zlib').brotliDecompressSync(Buffer.from(packed, 'base64')).toString('utf8');
}

/** An exports object whose properties compile the module on first read (for static imports). */
export function lazyExports(names: readonly string[], load: () => Record<string, unknown>): object {
  let loaded: Record<string, unknown> | undefined;
  const real = () => {
    loaded ??= load();
    return loaded;
  };
  const exports = {};
  for (const name of names) Object.defineProperty(exports, name, { enumerable: true, get: () => real()[name] });
  return exports;
}

/** How a chunk names a module of the bundle's own: `sortie:shared/secrets.ts`. */
export const PROVIDED = 'sortie:';

/**
 * Runs a CommonJS chunk given as text and returns its exports; `name` is what its stack frames show.
 * Its `require` gives Node's built-ins and, as PROVIDED + module, the modules the bundle itself holds,
 * so that the chunk shares them (one masker, one PluginError) instead of carrying copies.
 */
export function compileChunk(code: string, name: string, provided: Readonly<Record<string, () => unknown>> = {}): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  const require = (id: string): unknown => {
    const own = id.startsWith(PROVIDED) ? provided[id.slice(PROVIDED.length)] : undefined;
    const found = own ? own() : process.getBuiltinModule(id);
    if (found === undefined) throw new Error(`${name}: cannot find module '${id}'`);
    return found;
  };
  // As Node compiles a CommonJS file; unlike `new Function`, also where NODE_OPTIONS has
  // --disallow-code-generation-from-strings.
  const run = process.getBuiltinModule('node:vm').compileFunction(code, ['module', 'exports', 'require'], { filename: name });
  run(module, module.exports, require);
  return module.exports;
}
