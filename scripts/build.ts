import { readdirSync, existsSync, mkdirSync, readFileSync, writeFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { type BuildOptions, type Plugin, build } from 'esbuild';
import { lazyCode } from './build/lazy-code.ts';

/**
 * One self-contained file per plugin: `dist/<plugin>.js`, CommonJS so that a copy of the file
 * alone (an image has no package.json) loads without Node's ESM syntax detection parsing it twice.
 */
const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');
mkdirSync(dist, { recursive: true });
writeFileSync(join(dist, 'package.json'), '{ "type": "commonjs" }\n');

const all = readdirSync(join(root, 'plugins')).filter((name) => existsSync(join(root, 'plugins', name, 'main.ts')));
// `node scripts/build.ts kaniko` builds one plugin.
const wanted = process.argv.slice(2);
const plugins = wanted.length > 0 ? all.filter((name) => wanted.includes(name)) : all;

/**
 * Handlebars requires `source-map` only to emit source maps of compiled templates, which no plugin
 * asks for, and falls back to a small built-in when it is missing: 26 KiB less to parse at start.
 */
const withoutSourceMapLibrary: Plugin = {
  name: 'without-source-map-library',
  setup(b) {
    b.onResolve({ filter: /^source-map$/ }, (args) => (args.importer.includes('handlebars') ? { path: 'source-map', namespace: 'empty' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'empty' }, () => ({ contents: '', loader: 'js' }));
  },
};

/** Compiled only when a step needs them; every bundle's `import()` of its own modules is too. */
const LAZY_PACKAGES = ['handlebars', 'js-yaml', '@slack/webhook', 'nodemailer', 'html-to-text'];
const options: BuildOptions = { platform: 'node', target: 'node24', format: 'cjs', minify: true };

const results = await Promise.all(
  plugins.map(async (name) => {
    const entry = join(root, 'plugins', name, 'main.ts');
    const lazy = await lazyCode(entry, options, [withoutSourceMapLibrary], LAZY_PACKAGES);
    const outfile = join(dist, `${name}.js`);
    const result = await build({
      ...options,
      entryPoints: [entry],
      outfile,
      bundle: true,
      sourcemap: true,
      legalComments: 'linked',
      logLevel: 'warning',
      metafile: true,
      plugins: [withoutSourceMapLibrary, lazy.plugin],
    });
    listSources(`${outfile}.map`, lazy.sources);
    return result;
  }),
);

/**
 * The chunks are strings in the bundle, which its source map cannot point into: their sources are
 * listed all the same (without mappings), so the map still names everything the bundle holds.
 */
function listSources(map: string, sources: ReadonlySet<string>): void {
  const json = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[]; sourcesContent?: Array<string | null> };
  for (const source of [...sources].map((s) => relative(dist, s)).sort()) {
    if (json.sources.includes(source)) continue;
    json.sources.push(source);
    json.sourcesContent?.push(null);
  }
  writeFileSync(map, JSON.stringify(json));
}

for (const [i, name] of plugins.entries()) {
  const size = statSync(join(dist, `${name}.js`)).size;
  const inputs = Object.keys(results[i]!.metafile.inputs).length;
  console.log(`dist/${name}.js  ${(size / 1024).toFixed(0)} KiB from ${inputs} modules`);
}
