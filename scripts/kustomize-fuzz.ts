/**
 * A differential fuzz of the kustomize build: random bases, overlays and components (prefixes,
 * suffixes, namespaces, labels, annotations, images, replicas, references across kinds), each built
 * here and by `kubectl kustomize`, compared as parsed objects (or both failing). A case that differs
 * is kept and its directory printed; add it to test/kustomize/corpus/ once understood.
 *   node scripts/kustomize-fuzz.ts [seed] [cases]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { dump, loadAll } from 'js-yaml';
import { buildKustomization } from '../plugins/kubernetes/kustomize/build.ts';

// Seeded, so that a run can be repeated to find a case again.
let seed = Number(process.argv[2] ?? 1);
function rnd(): number {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return seed / 2147483648;
}
const pick = <T>(a: T[]): T => a[Math.floor(rnd() * a.length)]!;
const maybe = (p = 0.5) => rnd() < p;

// Few names, so that objects of several kinds share one and references have to tell them apart.
const names = ['app', 'web', 'db', 'default', 'cfg'];

/** `own` names the objects apart from a base's, while their references still point at the base's names. */
function objects(own = ''): unknown[] {
  const out: Record<string, unknown>[] = [];
  const n = 3 + Math.floor(rnd() * 8);
  const used = new Set<string>();
  for (let i = 0; i < n; i++) {
    const kind = pick(['ConfigMap', 'Secret', 'ServiceAccount', 'Service', 'Deployment', 'StatefulSet', 'RoleBinding', 'Role', 'ClusterRole', 'ClusterRoleBinding', 'PersistentVolumeClaim', 'Ingress', 'HorizontalPodAutoscaler', 'CronJob', 'Namespace', 'PodDisruptionBudget']);
    const name = own + pick(names);
    const ns = maybe(0.2) ? pick(['a', 'b', 'default']) : undefined;
    const key = `${kind}/${name}/${ns ?? ''}`;
    if (used.has(key)) continue;
    used.add(key);
    const md: Record<string, unknown> = { name, ...(ns ? { namespace: ns } : {}), ...(maybe(0.3) ? { labels: { x: 'y' } } : {}) };
    const pod = () => ({ metadata: { labels: { app: name } }, spec: { serviceAccountName: pick(names), containers: [{ name: 'c', image: pick(['nginx', 'nginx:1', 'reg:5000/nginx:2', 'redis@sha256:aa']), envFrom: [{ configMapRef: { name: pick(names) } }, { secretRef: { name: pick(names) } }] }], volumes: [{ name: 'v', persistentVolumeClaim: { claimName: pick(names) } }, { name: 's', secret: { secretName: pick(names) } }] } });
    switch (kind) {
      case 'ConfigMap': out.push({ apiVersion: 'v1', kind, metadata: md, data: { a: '1' } }); break;
      case 'Secret': out.push({ apiVersion: 'v1', kind, metadata: md, stringData: { a: '1' } }); break;
      case 'ServiceAccount': out.push({ apiVersion: 'v1', kind, metadata: md }); break;
      case 'Namespace': out.push({ apiVersion: 'v1', kind, metadata: { name } }); break;
      case 'Service': out.push({ apiVersion: 'v1', kind, metadata: md, spec: { ...(maybe() ? { selector: { app: name } } : {}), ports: [{ port: 80 }] } }); break;
      case 'Deployment': out.push({ apiVersion: 'apps/v1', kind, metadata: md, spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: pod() } }); break;
      case 'StatefulSet': out.push({ apiVersion: 'apps/v1', kind, metadata: md, spec: { serviceName: pick(names), selector: { matchLabels: { app: name } }, template: pod(), volumeClaimTemplates: [{ metadata: { name: 'd' }, spec: { storageClassName: 'fast' } }] } }); break;
      case 'CronJob': out.push({ apiVersion: 'batch/v1', kind, metadata: md, spec: { schedule: '@daily', jobTemplate: { spec: { template: pod() } } } }); break;
      case 'Role': out.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: md, rules: [{ apiGroups: [''], resources: ['configmaps'], resourceNames: [pick(names)], verbs: ['get'] }] }); break;
      case 'ClusterRole': out.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: { name }, rules: [] }); break;
      case 'RoleBinding':
      case 'ClusterRoleBinding':
        out.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind, metadata: kind === 'RoleBinding' ? md : { name }, subjects: [{ kind: 'ServiceAccount', name: pick(names), ...(maybe() ? { namespace: pick(['a', 'b', 'default']) } : {}) }, { kind: 'User', name: pick(names) }], roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: kind === 'RoleBinding' && maybe() ? 'Role' : 'ClusterRole', name: pick(names) } });
        break;
      case 'PersistentVolumeClaim': out.push({ apiVersion: 'v1', kind, metadata: md, spec: { storageClassName: 'fast', accessModes: ['ReadWriteOnce'] } }); break;
      case 'Ingress': out.push({ apiVersion: 'networking.k8s.io/v1', kind, metadata: md, spec: { tls: [{ secretName: pick(names) }], rules: [{ http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: pick(names), port: { number: 80 } } } }] } }] } }); break;
      case 'HorizontalPodAutoscaler': out.push({ apiVersion: 'autoscaling/v2', kind, metadata: md, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: pick(['Deployment', 'StatefulSet']), name: pick(names) }, maxReplicas: 3 } }); break;
      case 'PodDisruptionBudget': out.push({ apiVersion: 'policy/v1', kind, metadata: md, spec: { selector: { matchLabels: { app: name } } } }); break;
    }
  }
  return out;
}

function layer(): Record<string, unknown> {
  const k: Record<string, unknown> = {};
  if (maybe(0.5)) k.namePrefix = pick(['p-', 'q-']);
  if (maybe(0.4)) k.nameSuffix = pick(['-s', '-t']);
  if (maybe(0.4)) k.namespace = pick(['a', 'b', 'ns1']);
  if (maybe(0.3)) k.commonLabels = { tier: pick(['x', 'y']) };
  if (maybe(0.3)) k.labels = [{ pairs: { team: 'z' }, includeSelectors: maybe(), includeTemplates: maybe() }];
  if (maybe(0.3)) k.commonAnnotations = { note: 'n' };
  if (maybe(0.3)) k.images = [{ name: pick(['nginx', 'redis', 'reg:5000/nginx']), ...(maybe() ? { newTag: 'v9' } : {}), ...(maybe() ? { newName: 'other' } : {}), ...(maybe(0.3) ? { digest: 'sha256:bb' } : {}) }];
  if (maybe(0.03)) k.replicas = [{ name: pick(names), count: 2 }];
  if (maybe(0.1)) k.sortOptions = { order: 'fifo' };
  return k;
}

let failures = 0;
let errors = 0;
const runs = Number(process.argv[3] ?? 20);
for (let r = 0; r < runs; r++) {
  const dir = mkdtempSync(join(tmpdir(), 'sortie-kustomize-fuzz-'));
  const depth = 1 + Math.floor(rnd() * 3);
  mkdirSync(join(dir, 'l0'));
  writeFileSync(join(dir, 'l0', 'objects.yaml'), objects().map((o) => dump(o)).join('---\n'));
  writeFileSync(join(dir, 'l0', 'kustomization.yaml'), dump({ resources: ['objects.yaml'], ...layer() }));
  for (let d = 1; d <= depth; d++) {
    mkdirSync(join(dir, `l${d}`));
    const extra = maybe(0.3);
    if (extra) writeFileSync(join(dir, `l${d}`, 'extra.yaml'), objects(`e${d}`).map((o) => dump(o)).join('---\n'));
    const comp = maybe(0.5);
    if (comp) {
      mkdirSync(join(dir, `c${d}`));
      const own = maybe();
      if (own) writeFileSync(join(dir, `c${d}`, 'more.yaml'), objects(`c${d}`).map((o) => dump(o)).join('---\n'));
      writeFileSync(join(dir, `c${d}`, 'kustomization.yaml'), dump({ apiVersion: 'kustomize.config.k8s.io/v1alpha1', kind: 'Component', ...(own ? { resources: ['more.yaml'] } : {}), ...layer() }));
    }
    writeFileSync(join(dir, `l${d}`, 'kustomization.yaml'), dump({ resources: [`../l${d - 1}`, ...(extra ? ['extra.yaml'] : [])], ...(comp ? { components: [`../c${d}`] } : {}), ...layer() }));
  }
  const top = join(dir, `l${depth}`);
  let theirs: unknown;
  let ours: unknown;
  try {
    theirs = loadAll(execFileSync('kubectl', ['kustomize', top], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }));
  } catch (e) {
    theirs = `ERROR ${String((e as { stderr?: string }).stderr).slice(0, 300)}`;
  }
  try {
    ours = buildKustomization(top, { workspace: dir, restrictor: 'rootOnly', render: (t) => t }).map((m) => m.object);
  } catch (e) {
    ours = `ERROR ${(e as Error).message}`;
  }
  const same = typeof theirs === 'string' ? typeof ours === 'string' : isDeepStrictEqual(ours, theirs);
  if (typeof theirs === 'string' && typeof ours === 'string') errors++;
  if (same) rmSync(dir, { recursive: true, force: true });
  else {
    failures++;
    console.log(`differs: ${top}`);
    if (typeof theirs === 'string' || typeof ours === 'string') console.log(' theirs:', typeof theirs === 'string' ? theirs : 'ok', '\n ours:', typeof ours === 'string' ? ours : 'ok');
  }
}
console.log(`${failures} of ${runs} differ (${errors} fail on both sides)`);
process.exitCode = failures > 0 ? 1 : 0;
