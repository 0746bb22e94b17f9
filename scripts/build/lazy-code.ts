import { join, relative } from 'node:path';
import { type BuildOptions, type Plugin, build } from 'esbuild';
import { brotliCompressSync, constants } from 'node:zlib';
import { PROVIDED, compileChunk } from '../../shared/lazy-module.ts';

/**
 * Code a step may never run, kept in the bundle as a string and compiled on first use (see
 * shared/lazy-module.ts): the packages named, wherever they are imported, and every project module
 * that the bundle reaches only through `import()` (a plugin's run, the template engine). A no-op
 * step (a settings error, a skipped event) then compiles a fraction of the bundle.
 *
 * A chunk holds its own modules only: one that the bundle loads at start stays there, and the chunk
 * gets it through its `require`, so each module exists once; two chunks holding the same module
 * are an error. The chunks' sources go into the bundle's source map (so the SBOM sees every
 * package) and their license comments into its notices.
 */
const root = join(import.meta.dirname, '..', '..');
const runtime = join(root, 'shared', 'lazy-module.ts');

export interface LazyCode {
  readonly plugin: Plugin;
  /** The chunks' sources, as absolute paths, for the bundle's source map. */
  readonly sources: Set<string>;
}

interface Chunk {
  readonly code: string;
  /** Its license comments, for the bundle's notices. */
  readonly legal: string;
  /** The metafile keys of the modules inside it. */
  readonly inputs: readonly string[];
  /** The bundle's modules it requires. */
  readonly provided: readonly string[];
}

/** `entry` is the bundle's; `options` and `plugins` its build options, which the chunks share. */
export async function lazyCode(entry: string, options: BuildOptions, plugins: Plugin[], packages: readonly string[]): Promise<LazyCode> {
  // Never written: the outfile only names the notices esbuild returns.
  const base: BuildOptions = { ...options, outfile: join(root, 'dist', 'lazy-chunk.js'), absWorkingDir: root, bundle: true, write: false, metafile: true, legalComments: 'external', sourcemap: false, logLevel: 'warning' };
  const sources = new Set<string>();
  const owner = new Map<string, string>();
  const claim = (name: string) => (chunk: Chunk) => {
    for (const input of chunk.inputs) {
      if (input.includes(':') || input === '<stdin>') continue;
      const other = owner.get(input);
      if (other !== undefined && other !== name) throw new Error(`${input} would be in two lazy chunks, ${other} and ${name}: import it where both reach it`);
      owner.set(input, name);
      sources.add(join(root, input));
    }
    return chunk;
  };
  const packageChunks = memo((name: string) =>
    buildChunk({ ...base, stdin: { contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir: root, loader: 'js' }, plugins }).then(claim(name)),
  );
  const packagePlugin = lazyPackages(packages, packageChunks);
  // The bundle without its chunks first: what it loads at start, which no chunk may copy.
  const probe = await build({ ...base, entryPoints: [entry], plugins: [...plugins, packagePlugin, chunkBoundary(undefined)] });
  const atStart = new Set(Object.keys(probe.metafile!.inputs));
  const moduleChunks = memo((key: string) => buildChunk({ ...base, entryPoints: [join(root, key)], plugins: [providedBy(atStart), ...plugins, packagePlugin] }).then(claim(key)));
  const lazyModule = async (key: string) => {
    const chunk = await moduleChunks(key);
    const provided = chunk.provided.map((p) => `${JSON.stringify(p)}: () => require(${JSON.stringify(p.startsWith('lazy-package:') ? p.slice('lazy-package:'.length) : join(root, p))})`);
    return `${chunk.legal}const lazy = require(${JSON.stringify(runtime)});\nmodule.exports = lazy.compileChunk(lazy.unpackChunk(${packed(chunk.code)}), ${JSON.stringify(`sortie-lazy:${key}`)}, { ${provided.join(', ')} });\n`;
  };
  return {
    plugin: {
      name: 'lazy-code',
      setup(b) {
        packagePlugin.setup(b);
        chunkBoundary(lazyModule).setup(b);
      },
    },
    sources,
  };
}

/** Project modules reached through `import()`: each a chunk that `load` makes, or (no `load`) left out. */
function chunkBoundary(load: ((key: string) => Promise<string>) | undefined): Plugin {
  return {
    name: 'lazy-chunks',
    setup(b) {
      const inner = Symbol('inner');
      b.onResolve({ filter: /^\./ }, async (args) => {
        if (args.kind !== 'dynamic-import' || args.pluginData === inner) return undefined;
        const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: inner });
        if (r.errors.length > 0 || r.path.includes('/node_modules/')) return undefined;
        return load ? { path: relative(root, r.path), namespace: 'lazy-chunk' } : { path: r.path, external: true };
      });
      if (load) b.onLoad({ filter: /.*/, namespace: 'lazy-chunk' }, async (args) => ({ contents: await load(args.path), loader: 'js', resolveDir: root }));
    },
  };
}

/** Each package named becomes an exports object that compiles the package on first read. */
function lazyPackages(packages: readonly string[], chunkOf: (name: string) => Promise<Chunk>): Plugin {
  const filter = new RegExp(`^(${packages.map((p) => p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|')})$`);
  return {
    name: 'lazy-packages',
    setup(b) {
      b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'lazy-package' }));
      b.onLoad({ filter: /.*/, namespace: 'lazy-package' }, async (args) => {
        const chunk = await chunkOf(args.path);
        const name = `sortie-lazy:${args.path}`;
        // A static import reads the exports' names at start: they are known by running the package once here.
        const names = Object.getOwnPropertyNames(compileChunk(chunk.code, name));
        return {
          contents: `${chunk.legal}const { compileChunk, lazyExports, unpackChunk } = require(${JSON.stringify(runtime)});\nmodule.exports = lazyExports(${JSON.stringify(names)}, () => compileChunk(unpackChunk(${packed(chunk.code)}), ${JSON.stringify(name)}));\n`,
          loader: 'js',
          resolveDir: root,
        };
      });
    },
  };
}

/** Imports of the modules the bundle loads at start become `require("sortie:<module>")`. */
function providedBy(modules: ReadonlySet<string>): Plugin {
  const inner = Symbol('inner');
  return {
    name: 'provided-by-the-bundle',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === inner || args.kind === 'entry-point') return undefined;
        const r = await b.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, namespace: args.namespace, pluginData: inner });
        if (r.errors.length > 0 || r.external) return undefined;
        const key = r.namespace === 'file' ? relative(root, r.path) : `${r.namespace}:${r.path}`;
        return modules.has(key) ? { path: PROVIDED + key, external: true } : undefined;
      });
    },
  };
}

async function buildChunk(options: BuildOptions): Promise<Chunk> {
  const r = await build(options);
  const file = (suffix: string) => r.outputFiles!.find((f) => f.path.endsWith(suffix))?.text ?? '';
  const inputs = Object.values(r.metafile!.inputs);
  const provided = inputs.flatMap((i) => i.imports.filter((imp) => imp.external && imp.path.startsWith(PROVIDED)).map((imp) => imp.path.slice(PROVIDED.length)));
  return {
    code: file('.js'),
    // esbuild's notices indent each file's comments by two spaces; the bundle's build collects them again.
    legal: file('.LEGAL.txt').split('\n').filter((l) => l.startsWith('  ')).map((l) => `${l.slice(2)}\n`).join(''),
    inputs: Object.keys(r.metafile!.inputs),
    provided: [...new Set(provided)],
  };
}

function memo<T>(make: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const made = new Map<string, Promise<T>>();
  return (key) => {
    if (!made.has(key)) made.set(key, make(key));
    return made.get(key)!;
  };
}

/** A chunk's code as a string literal for shared/lazy-module.ts's unpackChunk. */
function packed(code: string): string {
  return JSON.stringify(brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }).toString('base64'));
}
