import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump, loadAll } from 'js-yaml';
import { object as mixedObject } from './kubernetes.ts';
import { type Row, compareProcesses, sampleProcess } from './measure.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const OBJECTS = 200;

/** A base of `n` objects (config, secrets, services, accounts, workloads referring to them) and an overlay on it. */
function kustomization(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'sortie-bench-kustomize-'));
  mkdirSync(join(dir, 'base'));
  mkdirSync(join(dir, 'overlay'));
  const files: string[] = [];
  for (let f = 0; f < n / 20; f++) {
    const docs = Array.from({ length: 20 }, (_, j) => object(f * 20 + j));
    writeFileSync(join(dir, 'base', `objects-${f}.yaml`), docs.map((d) => dump(d)).join('---\n'));
    files.push(`objects-${f}.yaml`);
  }
  writeFileSync(join(dir, 'base', 'kustomization.yaml'), dump({ resources: files, commonLabels: { app: 'bench' } }));
  writeFileSync(
    join(dir, 'overlay', 'kustomization.yaml'),
    dump({
      namespace: 'production',
      namePrefix: 'prod-',
      resources: ['../base'],
      labels: [{ pairs: { env: 'production' }, includeTemplates: true }],
      commonAnnotations: { team: 'shop' },
      images: [{ name: 'nginx', newTag: '1.27.1' }],
      replicas: [{ name: 'obj-4', count: 3 }],
    }),
  );
  return dir;
}

/** The kubernetes bench's mix, its workloads referring to the ConfigMap, Secret and ServiceAccount before them. */
function object(i: number): Record<string, unknown> {
  const o = mixedObject(i, 'bench');
  if (o.kind !== 'Deployment') return o;
  const ref = (k: number) => `obj-${i - (i % 5) + k}`;
  const pod = (o.spec as { template: { spec: Record<string, unknown> } }).template.spec;
  pod.serviceAccountName = ref(3);
  (pod.containers as Record<string, unknown>[])[0]!.envFrom = [{ configMapRef: { name: ref(0) } }, { secretRef: { name: ref(1) } }];
  return o;
}

/** The build in a process of its own, against `kubectl kustomize` on the same input, in the same run. */
export async function rows(): Promise<Row[]> {
  const dir = kustomization(OBJECTS);
  const overlay = join(dir, 'overlay');
  const ours = [process.execPath, join(import.meta.dirname, 'kustomize-build.ts'), overlay];
  const kubectl = ['kubectl', 'kustomize', overlay];
  try {
    // A time is only worth comparing for the same output.
    const outputs = [ours, kubectl].map(([cmd, ...args]) => loadAll(execFileSync(cmd!, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })));
    assert.deepEqual(outputs[0], outputs[1], 'the build differs from kubectl kustomize');
    const r = await compareProcesses(
      () => sampleProcess(ours, process.env),
      () => sampleProcess(kubectl, process.env),
      RUNS,
    );
    if ([...r.subject.codes].some((code) => code !== 0)) throw new Error('the build failed');
    return [
      {
        group: 'kubernetes',
        name: `build a ${OBJECTS}-object kustomization (overlay on a base), a process each; median of ${RUNS}`,
        value: r.subject.ms,
        unit: 'ms',
        baseline: { name: 'kubectl kustomize', value: r.baseline.ms },
        target: '<= 2x',
      },
    ];
  } catch (err) {
    return [{ group: 'kubernetes', name: `build a ${OBJECTS}-object kustomization: not measured (${(err as Error).message})`, value: 0, unit: 'ms' }];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
