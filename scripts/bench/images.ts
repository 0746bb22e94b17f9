import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildImage, imageName } from '../images/build.ts';
import { plugins } from '../images/stage.ts';
import { type Engine, engineUnavailable, startEngine } from '../images/engine.ts';
import { compressGzip, compressZstd, getManifest, manifestSize, parseRepo, savedImage } from '../images/oci.ts';
import { cacheDir, strippedNode } from '../images/runtime.ts';
import { type Row, compareProcesses, sampleProcess } from './measure.ts';
import { coldStart } from './slack.ts';

/**
 * The images, measured on a Docker engine of our own (scripts/images/engine.ts), in one run:
 * - compressed size of every scratch image (sortie/slack, sortie/kubernetes ...) as a registry
 *   holds them, gzip (what `docker push` sends) and zstd (what scripts/release.ts publishes), each against the same
 *   compression of the Node binary alone, the floor of any Node image (target <= 1.1x);
 * - `docker run` of sortie/slack sending the default message to a local sink, against
 *   `docker run` of the same image doing `node -e 0` (target <= 1.3x).
 * `node scripts/bench/images.ts` prints the table alone. Needs root and Debian's docker.io.
 */
const RUNS = Math.max(21, Number(process.env.BENCH_RUNS ?? 21));
const ZSTD_LEVEL = Number(process.env.BENCH_ZSTD_LEVEL ?? 19);
const MB = 1e6;

/** Compressed sizes by content hash, kept between runs: zstd -19 of the Node binary takes ~50 s. */
async function cachedSize(kind: 'gzip' | 'zstd', data: Buffer): Promise<number> {
  const file = join(cacheDir, 'compressed-sizes.json');
  const cache = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>) : {};
  const key = `${kind}${kind === 'zstd' ? ZSTD_LEVEL : ''}:${createHash('sha256').update(data).digest('hex')}`;
  if (cache[key] === undefined) {
    cache[key] = (kind === 'zstd' ? await compressZstd(data, ZSTD_LEVEL) : await compressGzip(data)).data.length;
    mkdirSync(cacheDir, { recursive: true });
    const now = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, number>) : {};
    writeFileSync(file, JSON.stringify({ ...now, [key]: cache[key] }, null, 1));
  }
  return cache[key]!;
}

export async function rows(): Promise<Row[]> {
  const reason = engineUnavailable();
  if (reason) {
    console.error(`images: not measured (${reason})`);
    return [];
  }
  const engine = await startEngine();
  const work = mkdtempSync(join(tmpdir(), 'sortie-bench-images-'));
  const out: Row[] = [];
  try {
    const node = readFileSync(strippedNode().path);
    const [nodeGzip, nodeZstd] = await Promise.all([cachedSize('gzip', node), cachedSize('zstd', node)]);
    out.push({ group: 'images', name: 'Node binary alone (stripped), gzip', value: nodeGzip / MB, unit: 'MB' });
    out.push({ group: 'images', name: `Node binary alone (stripped), zstd -${ZSTD_LEVEL}`, value: nodeZstd / MB, unit: 'MB' });
    // Every scratch image (kaniko's is the executor's image with Sortie added).
    for (const plugin of plugins.filter((p) => p !== 'kaniko')) {
      const local = `${imageName('sortie', plugin)}:bench`;
      await buildImage(engine, plugin, { out: join(work, 'contexts'), tags: [local] });
      const remote = `${engine.registry}/${imageName('sortie', plugin)}`;
      await engine.docker(['tag', local, `${remote}:bench`]);
      await engine.docker(['push', `${remote}:bench`]);
      const pushed = manifestSize((await getManifest(parseRepo(remote), 'bench')).manifest);
      const saved = await savedImage(engine, local);
      const zstd = saved.config.length + (await Promise.all(saved.layers.map((l) => cachedSize('zstd', l)))).reduce((a, b) => a + b, 0);
      out.push({ group: 'images', name: `sortie/${plugin}, pushed by docker (gzip)`, value: pushed / MB, unit: 'MB', baseline: { name: 'Node, gzip', value: nodeGzip / MB }, target: '<= 1.1x' });
      out.push({ group: 'images', name: `sortie/${plugin}, zstd -${ZSTD_LEVEL} layers`, value: zstd / MB, unit: 'MB', baseline: { name: 'Node, zstd', value: nodeZstd / MB }, target: '<= 1.1x' });
      out.push({ group: 'images', name: `sortie/${plugin}, uncompressed`, value: saved.layers.reduce((n, l) => n + l.length, 0) / MB, unit: 'MB' });
    }
    out.push(...(await dockerRunRows(engine, `${imageName('sortie', 'slack')}:bench`)));
  } finally {
    await engine.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return out;
}

async function dockerRunRows(engine: Engine, image: string): Promise<Row[]> {
  const scenario = await coldStart();
  const env = { ...scenario.env, PLUGIN_ENV_FILE: '/nonexistent' };
  const docker = (extra: string[]) => ['docker', 'run', '--rm', '--network=host', '--read-only', ...extra];
  const plugin = docker([...Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]), image]);
  const bare = docker(['--entrypoint', '/usr/local/bin/node', image, '-e', '0']);
  try {
    const r = await compareProcesses(
      () => sampleProcess(plugin, engine.env),
      () => sampleProcess(bare, engine.env),
      RUNS,
    );
    if (!r.subject.codes.has(0) || r.subject.codes.size > 1) console.error(`warning: docker run ${image} exited with ${[...r.subject.codes].join(',')}`);
    return [
      {
        group: 'images',
        name: `docker run sortie/slack, default message, median of ${RUNS}`,
        value: r.subject.ms,
        unit: 'ms',
        baseline: { name: 'docker run, node -e 0', value: r.baseline.ms },
        target: '<= 1.3x',
      },
    ];
  } finally {
    await scenario.close();
  }
}

if (import.meta.main) {
  const { printTable } = await import('./table.ts');
  printTable(await rows());
}
