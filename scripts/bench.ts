import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { type Row, compareProcesses, sampleProcess } from './bench/measure.ts';
import { printTable } from './bench/table.ts';

/**
 * `npm run bench`: every figure next to a baseline measured in the same run, as a table.
 * Per plugin, `scripts/bench/<plugin>.ts` may export `coldStart()` (the environment of a
 * representative dry invocation, and a cleanup) and `rows()` (the plugin's own benchmarks).
 */
interface PluginBench {
  coldStart?: () => Promise<{ env: Record<string, string>; cwd?: string; close: () => Promise<void> }>;
  rows?: () => Promise<Row[]>;
}

const root = join(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const plugins = readdirSync(join(root, 'dist'))
  .filter((f) => f.endsWith('.js'))
  .map((f) => f.slice(0, -3));
const rows: Row[] = [];
const bareNode = { name: 'node -e 0', argv: [process.execPath, '-e', '0'] };

for (const plugin of plugins) {
  const file = join(root, 'dist', `${plugin}.js`);
  const bytes = readFileSync(file);
  rows.push({ group: plugin, name: 'bundle size', value: statSync(file).size / 1024, unit: 'KiB' });
  rows.push({ group: plugin, name: 'bundle size, gzip', value: gzipSync(bytes).length / 1024, unit: 'KiB' });
  rows.push({ group: plugin, name: 'bundle size, zstd', value: zstdCompressSync(bytes).length / 1024, unit: 'KiB' });

  const benchFile = join(import.meta.dirname, 'bench', `${plugin}.ts`);
  const bench: PluginBench = existsSync(benchFile) ? await import(benchFile) : {};
  const scenario = bench.coldStart ? await bench.coldStart() : { env: {}, close: async () => {} };
  const env = { PATH: process.env.PATH ?? '', PLUGIN_ENV_FILE: '/nonexistent', ...scenario.env };
  try {
    const r = await compareProcesses(
      () => sampleProcess([process.execPath, file], env, scenario.cwd),
      () => sampleProcess(bareNode.argv, env),
      RUNS,
    );
    const how = bench.coldStart ? '' : ' (no scenario: settings error path)';
    rows.push({ group: plugin, name: `cold start, median of ${RUNS}${how}`, value: r.subject.ms, unit: 'ms', baseline: { name: bareNode.name, value: r.baseline.ms }, target: '<= 1.5x' });
    rows.push({ group: plugin, name: 'peak RSS', value: r.subject.rss / 1024, unit: 'MiB', baseline: { name: bareNode.name, value: r.baseline.rss / 1024 }, target: '<= 1.3x' });
    if (bench.coldStart && !r.subject.codes.has(0)) console.error(`warning: ${plugin} cold-start scenario exited with ${[...r.subject.codes].join(',')}`);
  } finally {
    await scenario.close();
  }
  if (bench.rows) rows.push(...(await bench.rows()));
}

// Not per plugin: how the plugins could start (bundle, compile cache, single executables), and
// the images (needs a Docker engine; its rows say why when there is none).
for (const extra of ['startup', 'images']) rows.push(...(await (await import(`./bench/${extra}.ts`)).rows()));

printTable(rows);
