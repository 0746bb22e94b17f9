// Server-side printing (meta.k8s.io/v1 Table), which `kubectl get` asks for: the columns of the real printers
// for the workload kinds, NAME and AGE for everything else.
import type { ResourceInfo } from './resources.ts';
import { meta, type Obj } from './store.ts';

type Column = [name: string, type: string, cell: (o: Obj) => unknown];

function age(o: Obj): string {
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(String(meta(o).creationTimestamp))) / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (s < 120) return `${s}s`;
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  if (h < 192) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  return `${d}d`;
}

const st = (o: Obj) => (o.status ?? {}) as Obj;
const sp = (o: Obj) => (o.spec ?? {}) as Obj;
const n = (v: unknown) => Number(v ?? 0);

function podStatus(p: Obj): string {
  if (meta(p).deletionTimestamp) return 'Terminating';
  for (const c of (st(p).containerStatuses as Obj[] | undefined) ?? []) {
    const state = (c.state ?? {}) as Obj;
    const waiting = state.waiting as Obj | undefined;
    if (waiting?.reason) return String(waiting.reason);
    const terminated = state.terminated as Obj | undefined;
    if (terminated?.reason && st(p).phase !== 'Succeeded' && st(p).phase !== 'Failed') return String(terminated.reason);
  }
  return String(st(p).phase ?? 'Pending');
}

const columns: Record<string, Column[]> = {
  'apps/Deployment': [
    ['Ready', 'string', (o) => `${n(st(o).readyReplicas)}/${n(sp(o).replicas ?? 1)}`],
    ['Up-to-date', 'integer', (o) => n(st(o).updatedReplicas)],
    ['Available', 'integer', (o) => n(st(o).availableReplicas)],
  ],
  'apps/ReplicaSet': [
    ['Desired', 'integer', (o) => n(sp(o).replicas)],
    ['Current', 'integer', (o) => n(st(o).replicas)],
    ['Ready', 'integer', (o) => n(st(o).readyReplicas)],
  ],
  'apps/StatefulSet': [['Ready', 'string', (o) => `${n(st(o).readyReplicas)}/${n(sp(o).replicas ?? 1)}`]],
  'apps/DaemonSet': [
    ['Desired', 'integer', (o) => n(st(o).desiredNumberScheduled)],
    ['Current', 'integer', (o) => n(st(o).currentNumberScheduled)],
    ['Ready', 'integer', (o) => n(st(o).numberReady)],
    ['Up-to-date', 'integer', (o) => n(st(o).updatedNumberScheduled)],
    ['Available', 'integer', (o) => n(st(o).numberAvailable)],
  ],
  '/Pod': [
    ['Ready', 'string', (o) => `${((st(o).containerStatuses as Obj[] | undefined) ?? []).filter((c) => c.ready).length}/${((sp(o).containers as Obj[] | undefined) ?? []).length}`],
    ['Status', 'string', podStatus],
    ['Restarts', 'string', (o) => String(((st(o).containerStatuses as Obj[] | undefined) ?? []).reduce((sum, c) => sum + n(c.restartCount), 0))],
  ],
  'batch/Job': [
    ['Status', 'string', (o) => {
      const conditions = (st(o).conditions as Obj[] | undefined) ?? [];
      if (conditions.some((c) => c.type === 'Complete' && c.status === 'True')) return 'Complete';
      if (conditions.some((c) => c.type === 'Failed' && c.status === 'True')) return 'Failed';
      return 'Running';
    }],
    ['Completions', 'string', (o) => `${n(st(o).succeeded)}/${n(sp(o).completions ?? 1)}`],
  ],
  '/Service': [
    ['Type', 'string', (o) => String(sp(o).type ?? 'ClusterIP')],
    ['Cluster-IP', 'string', (o) => String(sp(o).clusterIP ?? '<none>')],
    ['External-IP', 'string', () => '<none>'],
    ['Port(s)', 'string', (o) => ((sp(o).ports as Obj[] | undefined) ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}`).join(',') || '<none>'],
  ],
  '/Namespace': [['Status', 'string', (o) => String(st(o).phase ?? 'Active')]],
};

export const wantsTable = (accept: string | undefined): boolean => (accept ?? '').includes('as=Table');

export function table(r: ResourceInfo, items: Obj[], resourceVersion: string): Obj {
  const cols: Column[] = [['Name', 'string', (o) => meta(o).name], ...(columns[`${r.group}/${r.kind}`] ?? []), ['Age', 'string', age]];
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion },
    columnDefinitions: cols.map(([name, type]) => ({ name, type, format: name === 'Name' ? 'name' : '', description: '', priority: 0 })),
    rows: items.map((o) => ({
      cells: cols.map(([, , cell]) => cell(o)),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: meta(o) },
    })),
  };
}
