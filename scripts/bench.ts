import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { type Row, compareProcesses, sampleProcess } from './bench/measure.ts';
import { printTable } from './bench/table.ts';
import { droneBuildEnv } from '../test/support/drone-env.ts';

/**
 * `npm run bench`: every figure next to a baseline measured in the same run, as a table.
 * Per plugin, two cold starts: a no-op invocation (a build's environment and no settings: the
 * bundle loads, reads the status file and its settings, and stops at the first missing one), which
 * carries the start-up targets; and the plugin's representative run, from `coldStart()` in
 * `scripts/bench/<plugin>.ts` (which may also export `rows()`, the plugin's own benchmarks).
 */
interface Scenario {
  /** What the run does, for the table. */
  what?: string;
  env: Record<string, string>;
  cwd?: string;
  close: () => Promise<void>;
}

interface PluginBench {
  coldStart?: () => Promise<Scenario>;
  rows?: () => Promise<Row[]>;
}

const root = join(import.meta.dirname, '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const plugins = readdirSync(join(root, 'dist'))
  .filter((f) => f.endsWith('.js'))
  .map((f) => f.slice(0, -3));
const rows: Row[] = [];
const bareNode = { name: 'node -e 0', argv: [process.execPath, '-e', '0'] };

async function coldStartRows(plugin: string, what: string, scenario: Scenario, targets: boolean): Promise<Row[]> {
  const env = { PATH: process.env.PATH ?? '', PLUGIN_ENV_FILE: '/nonexistent', ...scenario.env };
  const file = join(root, 'dist', `${plugin}.js`);
  try {
    const r = await compareProcesses(
      () => sampleProcess([process.execPath, file], env, scenario.cwd),
      () => sampleProcess(bareNode.argv, env),
      RUNS,
    );
    return [
      { group: plugin, name: `cold start, ${what}, median of ${RUNS}`, value: r.subject.ms, unit: 'ms', baseline: { name: bareNode.name, value: r.baseline.ms }, target: targets ? '<= 1.3x' : undefined },
      { group: plugin, name: `peak RSS, ${what}`, value: r.subject.rss / 1024, unit: 'MiB', baseline: { name: bareNode.name, value: r.baseline.rss / 1024 }, target: targets ? '<= 1.3x' : undefined },
    ];
  } finally {
    await scenario.close();
  }
}

for (const plugin of plugins) {
  const file = join(root, 'dist', `${plugin}.js`);
  const bytes = readFileSync(file);
  rows.push({ group: plugin, name: 'bundle size', value: statSync(file).size / 1024, unit: 'KiB' });
  rows.push({ group: plugin, name: 'bundle size, gzip', value: gzipSync(bytes).length / 1024, unit: 'KiB' });
  rows.push({ group: plugin, name: 'bundle size, zstd', value: zstdCompressSync(bytes).length / 1024, unit: 'KiB' });
  rows.push(...(await coldStartRows(plugin, 'no-op (load, read settings, stop)', { env: droneBuildEnv, close: async () => {} }, true)));

  const benchFile = join(import.meta.dirname, 'bench', `${plugin}.ts`);
  const bench: PluginBench = existsSync(benchFile) ? await import(benchFile) : {};
  if (bench.coldStart) {
    const scenario = await bench.coldStart();
    rows.push(...(await coldStartRows(plugin, scenario.what ?? 'representative run', scenario, false)));
  }
  if (bench.rows) rows.push(...(await bench.rows()));
}

// Not per plugin: how the plugins could start (bundle, compile cache, single executables), and
// the images (needs a Docker engine; its rows say why when there is none).
for (const extra of ['startup', 'images', 'kustomize']) rows.push(...(await (await import(`./bench/${extra}.ts`)).rows()));

printTable(rows);
