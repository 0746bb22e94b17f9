import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { buildSea, pinnedNode, repoRoot, strippedNode } from '../images/runtime.ts';
import { snapshotBundle } from '../images/snapshot.ts';
import { type Row, compareProcesses, sampleProcess } from './measure.ts';
import { coldStart } from './slack.ts';

/**
 * How should a plugin start? dist/slack.js sending the default message to a Slack stand-in, started
 * five ways, each alternated with `node -e 0` of the pinned binary in the same run:
 * (a) node + bundle; (a') the stripped node the images ship; (b) with the module compile cache
 * warmed; (c) a single executable with its code cache; (d) a single executable from a startup snapshot.
 * `node scripts/bench/startup.ts` prints the table alone; `rows()` is for scripts/bench.ts.
 */
const RUNS = Math.max(21, Number(process.env.BENCH_RUNS ?? 21));

export async function rows(): Promise<Row[]> {
  const bundle = join(repoRoot, 'dist', 'slack.js');
  statSync(bundle);
  const work = mkdtempSync(join(tmpdir(), 'sortie-startup-'));
  const node = pinnedNode().path;
  const stripped = strippedNode().path;
  const cache = join(work, 'compile-cache');
  // A copy, so the compile cache is keyed to a file only this benchmark uses.
  const main = join(work, 'slack.js');
  copyFileSync(bundle, main);
  const seaCode = buildSea({ main, output: join(work, 'slack-sea-code-cache'), useCodeCache: true });
  let seaSnapshot: string | undefined;
  let snapshotError = '';
  try {
    const entry = await snapshotBundle('slack', join(work, 'snapshot', 'slack.js'));
    seaSnapshot = buildSea({ main: entry, output: join(work, 'slack-sea-snapshot'), useSnapshot: true });
  } catch (err) {
    snapshotError = String((err as { stderr?: Buffer }).stderr ?? err).split('\n').slice(0, 3).join(' ');
  }

  const scenario = await coldStart();
  const env = { PATH: process.env.PATH ?? '', PLUGIN_ENV_FILE: '/nonexistent', ...scenario.env };
  const modes: Array<{ name: string; argv: string[]; env?: Record<string, string> }> = [
    { name: '(a) node dist/slack.js', argv: [node, main] },
    { name: "(a') stripped node, as in the images", argv: [stripped, main] },
    { name: '(b) + NODE_COMPILE_CACHE, warmed', argv: [stripped, main], env: { NODE_COMPILE_CACHE: cache } },
    { name: '(c) single executable, useCodeCache', argv: [seaCode] },
  ];
  if (seaSnapshot) modes.push({ name: '(d) single executable, useSnapshot', argv: [seaSnapshot] });
  const out: Row[] = [];
  try {
    // Prime the compile cache (the first run writes it) and check that every mode sends the message.
    for (const m of modes) {
      const r = await sampleProcess(m.argv, { ...env, ...m.env });
      if (r.code !== 0) throw new Error(`${m.name} exited with ${r.code}`);
    }
    for (const m of modes) {
      const r = await compareProcesses(
        () => sampleProcess(m.argv, { ...env, ...m.env }),
        () => sampleProcess([node, '-e', '0'], env),
        RUNS,
      );
      out.push({ group: 'startup', name: `${m.name}, median of ${RUNS}`, value: r.subject.ms, unit: 'ms', baseline: { name: 'node -e 0', value: r.baseline.ms } });
      out.push({ group: 'startup', name: `${m.name}, peak RSS`, value: r.subject.rss / 1024, unit: 'MiB', baseline: { name: 'node -e 0', value: r.baseline.rss / 1024 } });
    }
  } finally {
    await scenario.close();
  }
  for (const [name, file] of [
    ['stripped node', stripped],
    ['single executable (code cache)', seaCode],
    ...(seaSnapshot ? [['single executable (snapshot)', seaSnapshot]] : []),
  ] as const) {
    const bytes = readFileSync(file);
    out.push({ group: 'startup', name: `${name}, size`, value: bytes.length / 2 ** 20, unit: 'MiB' });
    out.push({ group: 'startup', name: `${name}, gzip`, value: gzipSync(bytes).length / 2 ** 20, unit: 'MiB' });
    out.push({ group: 'startup', name: `${name}, zstd`, value: zstdCompressSync(bytes).length / 2 ** 20, unit: 'MiB' });
  }
  if (snapshotError) console.error(`(d) not measured: ${snapshotError}`);
  rmSync(work, { recursive: true, force: true });
  return out;
}

if (import.meta.main) {
  const { printTable } = await import('./table.ts');
  printTable(await rows());
}
