import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
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

function object(i: number): Record<string, unknown> {
  const metadata = { name: `obj-${i}` };
  const ref = (k: number) => `obj-${i - (i % 5) + k}`;
  switch (i % 5) {
    case 0:
      return { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { LOG_LEVEL: 'info', INDEX: String(i) } };
    case 1:
      return { apiVersion: 'v1', kind: 'Secret', metadata, type: 'Opaque', data: { token: Buffer.from(`token-${i}`).toString('base64') } };
    case 2:
      return { apiVersion: 'v1', kind: 'Service', metadata, spec: { selector: { run: ref(4) }, ports: [{ port: 80, targetPort: 8080 }] } };
    case 3:
      return { apiVersion: 'v1', kind: 'ServiceAccount', metadata };
    default:
      return {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata,
        spec: {
          replicas: 1,
          selector: { matchLabels: { run: metadata.name } },
          template: {
            metadata: { labels: { run: metadata.name } },
            spec: {
              serviceAccountName: ref(3),
              containers: [{ name: 'app', image: 'nginx:1.27', envFrom: [{ configMapRef: { name: ref(0) } }, { secretRef: { name: ref(1) } }] }],
            },
          },
        },
      };
  }
}

/** The build in a process of its own, against `kubectl kustomize` on the same input, in the same run. */
export async function kustomizeRows(): Promise<Row[]> {
  const dir = kustomization(OBJECTS);
  const overlay = join(dir, 'overlay');
  try {
    const r = await compareProcesses(
      () => sampleProcess([process.execPath, join(import.meta.dirname, 'kustomize-build.ts'), overlay], process.env),
      () => sampleProcess(['kubectl', 'kustomize', overlay], process.env),
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
