// A compressed kube-controller-manager + scheduler + kubelet: one reconcile pass per tick, writing through the same
// code paths as API clients (so managedFields, resourceVersions and watch events look like the real ones).
import { randomBytes } from 'node:crypto';
import { type Cluster, type Fault, faultAnnotation, randomSuffix } from './cluster.ts';
import { deepEqual, isObj } from './fields.ts';
import { now } from './managed.ts';
import type { ResourceInfo } from './resources.ts';
import { ApiError } from './status.ts';
import { meta, type Obj } from './store.ts';

const KCM = 'kube-controller-manager';
const NODE = 'kube-emulator-node';

const condition = (o: Obj, type: string): Obj | undefined => (((o.status as Obj | undefined)?.conditions as Obj[] | undefined) ?? []).find((c) => c.type === type);
const ownerUid = (o: Obj): string | undefined => ((meta(o).ownerReferences as Obj[] | undefined) ?? []).find((r) => r.controller)?.uid as string | undefined;
const isReady = (p: Obj) => condition(p, 'Ready')?.status === 'True';
const phase = (p: Obj) => (p.status as Obj | undefined)?.phase;

// Kubernetes' pod-template-hash: FNV-1a of the template, spelled with the "safe" alphabet.
function templateHash(template: unknown): string {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(JSON.stringify(template))) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (const ch of String(h)) s += alphabet[Number(ch) % alphabet.length];
  return s.slice(0, 10);
}

function intOrPercent(v: unknown, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(String(v ?? ''));
  if (!m) return Number(v) || 0;
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

function ownerRef(owner: Obj): Obj {
  const m = meta(owner);
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: m.name, uid: m.uid, controller: true, blockOwnerDeletion: true };
}

function knownResources(cluster: Cluster) {
  const info = (g: string, res: string) => cluster.info(g, res);
  return {
    namespaces: info('', 'namespaces'),
    configmaps: info('', 'configmaps'),
    serviceaccounts: info('', 'serviceaccounts'),
    pods: info('', 'pods'),
    events: info('', 'events'),
    deployments: info('apps', 'deployments'),
    replicasets: info('apps', 'replicasets'),
    statefulsets: info('apps', 'statefulsets'),
    daemonsets: info('apps', 'daemonsets'),
    jobs: info('batch', 'jobs'),
    crds: info('apiextensions.k8s.io', 'customresourcedefinitions'),
  };
}

type Known = keyof ReturnType<typeof knownResources>;

export class Controllers {
  private timer: NodeJS.Timeout | undefined;
  private readonly r: Record<Known, ResourceInfo>;
  private readonly established = new Map<string, number>();
  private running = false;

  private readonly cluster: Cluster;
  private readonly intervalMs: number;

  constructor(cluster: Cluster, intervalMs: number) {
    this.cluster = cluster;
    this.intervalMs = intervalMs;
    this.r = knownResources(cluster);
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  tick(): void {
    if (this.running) return;
    this.running = true;
    try {
      for (const step of [this.namespaces, this.crds, this.deployments, this.replicaSets, this.statefulSets, this.daemonSets, this.jobs, this.kubelet, this.gc]) {
        try {
          step.call(this);
        } catch (e) {
          // a write can race with a client (deleted object, conflicting namespace); the next tick retries
          if (!(e instanceof ApiError)) throw e;
        }
      }
    } finally {
      this.running = false;
    }
  }

  private list(name: Known, ns?: string): Obj[] {
    return this.cluster.store.list(this.r[name], ns);
  }

  private setStatus(res: Known, o: Obj, status: Obj, manager = KCM): Obj {
    if (deepEqual(o.status, status)) return o;
    const m = meta(o);
    return this.cluster.update(this.r[res], String(m.namespace ?? ''), String(m.name), { ...o, status }, { manager, subresource: 'status' });
  }

  private lastEventNs = 0n;
  private lastGcRemovals = -1;
  private gcSkips = 0;
  private readonly hashes = new Map<string, { generation: unknown; hash: string }>();
  // repeated events are counted on one Event object, found by involved object, reason and message
  private readonly eventNames = new Map<string, string>();

  // like client-go's recorder: the suffix is the creation time in nanoseconds, so names sort by time
  private eventSuffix(): string {
    const t = BigInt(Date.now()) * 1_000_000n;
    this.lastEventNs = t > this.lastEventNs ? t : this.lastEventNs + 1n;
    return this.lastEventNs.toString(16);
  }

  event(involved: Obj, type: 'Normal' | 'Warning', reason: string, message: string, component: string, fieldPath?: string): void {
    const m = meta(involved);
    const ns = String(m.namespace ?? 'default');
    if (!this.cluster.namespaceExists(ns)) return;
    const t = now();
    const involvedObject: Obj = { kind: involved.kind, namespace: ns, name: m.name, uid: m.uid, apiVersion: involved.apiVersion, resourceVersion: m.resourceVersion };
    if (fieldPath) involvedObject.fieldPath = fieldPath;
    const key = `${ns}\u0000${m.uid}\u0000${reason}\u0000${message}`;
    const existingName = this.eventNames.get(key);
    const existing = existingName ? this.cluster.store.get(this.r.events, ns, existingName) : undefined;
    if (existing) {
      this.cluster.update(this.r.events, ns, String(meta(existing).name), { ...existing, count: Number(existing.count ?? 1) + 1, lastTimestamp: t }, { manager: KCM });
      return;
    }
    const source: Obj = { component };
    const name = `${m.name}.${this.eventSuffix()}`;
    this.eventNames.set(key, name);
    if (component === 'kubelet') source.host = NODE;
    this.cluster.create(
      this.r.events,
      ns,
      {
        metadata: { name, namespace: ns },
        involvedObject,
        reason,
        message,
        source,
        firstTimestamp: t,
        lastTimestamp: t,
        count: 1,
        type,
        eventTime: null,
        reportingComponent: component,
        reportingInstance: component === 'kubelet' ? NODE : '',
      },
      { manager: component === 'kubelet' ? 'kubelet' : KCM },
    );
  }

  // Namespace lifecycle: default ServiceAccount and kube-root-ca.crt in every namespace; Terminating ones are emptied.
  private namespaces(): void {
    for (const ns of this.list('namespaces')) {
      const name = String(meta(ns).name);
      if (meta(ns).deletionTimestamp) {
        for (const { group, resource, object } of this.cluster.store.all()) {
          if (meta(object).namespace === name) this.cluster.store.remove({ group, resource }, name, String(meta(object).name));
        }
        this.cluster.store.remove(this.r.namespaces, '', name);
        continue;
      }
      if (!this.cluster.store.get(this.r.configmaps, name, 'kube-root-ca.crt')) {
        this.cluster.create(this.r.configmaps, name, { metadata: { name: 'kube-root-ca.crt', annotations: { 'kubernetes.io/description': 'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.' } }, data: { 'ca.crt': this.cluster.caPem } }, { manager: KCM });
      }
      if (!this.cluster.store.get(this.r.serviceaccounts, name, 'default')) {
        this.cluster.create(this.r.serviceaccounts, name, { metadata: { name: 'default' } }, { manager: KCM });
      }
    }
  }

  // CRDs: NamesAccepted at once, Established about 100 ms later (recording 10/16), then the resource is served.
  private crds(): void {
    const seen = new Set<string>();
    for (const crd of this.list('crds')) {
      const m = meta(crd);
      const name = String(m.name);
      seen.add(name);
      const spec = crd.spec as Obj;
      const names = spec.names as Obj;
      const status = (crd.status ?? {}) as Obj;
      const t = now();
      if (!condition(crd, 'NamesAccepted')) {
        this.setStatus(
          'crds',
          crd,
          {
          ...status,
          conditions: [
            { type: 'NamesAccepted', status: 'True', lastTransitionTime: t, reason: 'NoConflicts', message: 'no conflicts found' },
            { type: 'Established', status: 'False', lastTransitionTime: t, reason: 'Installing', message: 'the initial names have been accepted' },
          ],
          acceptedNames: { plural: names.plural, singular: names.singular ?? String(names.kind).toLowerCase(), shortNames: names.shortNames, kind: names.kind, listKind: names.listKind ?? `${names.kind}List` },
          },
          'kube-apiserver',
        );
        this.established.set(name, Date.now());
        continue;
      }
      if (condition(crd, 'Established')?.status !== 'True') {
        if (Date.now() - (this.established.get(name) ?? 0) < 100) continue;
        this.register(crd);
        const conditions = (status.conditions as Obj[]).map((c) =>
          c.type === 'Established' ? { type: 'Established', status: 'True', lastTransitionTime: t, reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' } : c,
        );
        this.setStatus('crds', crd, { ...status, conditions }, 'kube-apiserver');
        this.established.set(name, Number(m.generation));
        continue;
      }
      if (this.established.get(name) !== Number(m.generation)) {
        this.register(crd);
        this.established.set(name, Number(m.generation));
      }
    }
    for (const r of this.cluster.registry.all()) {
      if (r.custom && !seen.has(`${r.resource}.${r.group}`)) {
        this.cluster.registry.removeCustom(r.group, r.resource);
        for (const o of this.cluster.store.list(r)) this.cluster.store.remove(r, String(meta(o).namespace ?? ''), String(meta(o).name));
      }
    }
  }

  private register(crd: Obj): void {
    const spec = crd.spec as Obj;
    const names = spec.names as Obj;
    for (const v of (spec.versions as Obj[]) ?? []) {
      if (!v.served) continue;
      const subresources = isObj(v.subresources) ? v.subresources : {};
      const r: ResourceInfo = {
        group: String(spec.group),
        version: String(v.name),
        resource: String(names.plural),
        kind: String(names.kind),
        singular: String(names.singular ?? String(names.kind).toLowerCase()),
        namespaced: spec.scope !== 'Cluster',
        verbs: ['delete', 'deletecollection', 'get', 'list', 'patch', 'create', 'update', 'watch'],
        shortNames: names.shortNames as string[] | undefined,
        categories: names.categories as string[] | undefined,
        subresources: [
          ...(subresources.status ? [{ name: 'status', kind: String(names.kind), verbs: ['get', 'patch', 'update'] }] : []),
          ...(subresources.scale ? [{ name: 'scale', kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] }] : []),
        ],
        custom: true,
      };
      this.cluster.registry.addCustom(r);
      this.cluster.setCrdSchema(r, isObj(v.schema) ? v.schema.openAPIV3Schema : undefined);
    }
  }

  /** The fault configured for an object or, through ownerReferences, for its owners. */
  faultOf(o: Obj): Fault | undefined {
    let cur: Obj | undefined = o;
    for (let depth = 0; cur && depth < 4; depth++) {
      const m = meta(cur);
      const byName = this.cluster.faultFor(String(cur.kind), String(m.namespace ?? ''), String(m.name));
      if (byName) return byName;
      const ann = (m.annotations as Obj | undefined)?.[faultAnnotation];
      if (ann) return ann as Fault;
      const tAnn = ((((cur.spec as Obj | undefined)?.template as Obj | undefined)?.metadata as Obj | undefined)?.annotations as Obj | undefined)?.[faultAnnotation];
      if (tAnn) return tAnn as Fault;
      const ref = ((m.ownerReferences as Obj[] | undefined) ?? []).find((r) => r.controller);
      if (!ref) return undefined;
      const res = ({ ReplicaSet: 'replicasets', Deployment: 'deployments', StatefulSet: 'statefulsets', DaemonSet: 'daemonsets', Job: 'jobs' } as Record<string, Known | undefined>)[String(ref.kind)];
      cur = res ? this.cluster.store.get(this.r[res], String(m.namespace), String(ref.name)) : undefined;
    }
    return undefined;
  }

  private ownedOf(owner: Obj, kind: string): Obj[] {
    const uid = String(meta(owner).uid);
    return this.cluster.store
      .ownedBy(uid)
      .filter((o) => o.kind === kind && ownerUid(o) === uid && !meta(o).deletionTimestamp)
      .sort((a, b) => (String(meta(a).name) < String(meta(b).name) ? -1 : 1));
  }

  private podsOf(owner: Obj): Obj[] {
    return this.ownedOf(owner, 'Pod');
  }

  private makePod(owner: Obj, template: Obj, extra: { name?: string; generateName?: string; labels?: Obj; finalizers?: string[] }): Obj {
    const tm = (template.metadata ?? {}) as Obj;
    const spec = structuredClone((template.spec ?? {}) as Obj);
    const volume = `kube-api-access-${randomSuffix(5)}`;
    spec.volumes = [
      ...((spec.volumes as Obj[] | undefined) ?? []),
      {
        name: volume,
        projected: {
          sources: [
            { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
            { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
            { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
          ],
          defaultMode: 420,
        },
      },
    ];
    for (const c of (spec.containers as Obj[] | undefined) ?? []) {
      c.volumeMounts = [...((c.volumeMounts as Obj[] | undefined) ?? []), { name: volume, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }];
    }
    spec.serviceAccountName ??= 'default';
    spec.serviceAccount = spec.serviceAccountName;
    spec.tolerations ??= [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ];
    spec.priority ??= 0;
    spec.enableServiceLinks ??= true;
    spec.preemptionPolicy ??= 'PreemptLowerPriority';
    const metadata: Obj = { labels: { ...((tm.labels as Obj | undefined) ?? {}), ...extra.labels }, ownerReferences: [ownerRef(owner)] };
    if (extra.name) metadata.name = extra.name;
    if (extra.generateName) metadata.generateName = extra.generateName;
    if (tm.annotations) metadata.annotations = tm.annotations;
    if (extra.finalizers) metadata.finalizers = extra.finalizers;
    const hasLimits = ((spec.containers as Obj[] | undefined) ?? []).some((c) => isObj(c.resources) && (c.resources.requests || c.resources.limits));
    const pod = this.cluster.create(this.r.pods, String(meta(owner).namespace), { metadata, spec, status: { phase: 'Pending', qosClass: hasLimits ? 'Burstable' : 'BestEffort' } }, { manager: KCM });
    return pod;
  }

  private deletePod(pod: Obj): void {
    this.cluster.store.remove(this.r.pods, String(meta(pod).namespace), String(meta(pod).name));
  }

  private deployments(): void {
    for (const d of this.list('deployments')) {
      const m = meta(d);
      const ns = String(m.namespace);
      const spec = d.spec as Obj;
      const replicas = Number(spec.replicas ?? 1);
      const template = spec.template as Obj;
      const cached = this.hashes.get(String(m.uid));
      const hash = cached && cached.generation === m.generation ? cached.hash : templateHash(template);
      this.hashes.set(String(m.uid), { generation: m.generation, hash });
      const owned = this.ownedOf(d, 'ReplicaSet');
      const revisionOf = (rs: Obj) => Number((meta(rs).annotations as Obj | undefined)?.['deployment.kubernetes.io/revision'] ?? 0);
      let newRs = owned.find((rs) => (meta(rs).labels as Obj | undefined)?.['pod-template-hash'] === hash);
      const olds = owned.filter((rs) => rs !== newRs);
      const maxRevision = Math.max(0, ...owned.map(revisionOf));
      const recreate = (spec.strategy as Obj | undefined)?.type === 'Recreate';
      const ru = ((spec.strategy as Obj | undefined)?.rollingUpdate ?? {}) as Obj;
      const maxSurge = recreate ? 0 : intOrPercent(ru.maxSurge ?? '25%', replicas, true);
      let maxUnavailable = recreate ? replicas : intOrPercent(ru.maxUnavailable ?? '25%', replicas, false);
      if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
      let progressed = false;
      const oldReplicas = olds.reduce((n, rs) => n + Number((rs.spec as Obj).replicas ?? 0), 0);
      if (!newRs) {
        const initial = recreate ? (oldReplicas === 0 ? replicas : 0) : oldReplicas === 0 ? replicas : Math.min(replicas, Math.max(0, replicas + maxSurge - oldReplicas));
        const labels = { ...((template.metadata as Obj | undefined)?.labels as Obj), 'pod-template-hash': hash };
        const selector = structuredClone(spec.selector as Obj);
        selector.matchLabels = { ...((selector.matchLabels as Obj | undefined) ?? {}), 'pod-template-hash': hash };
        const rsTemplate = structuredClone(template);
        rsTemplate.metadata = { ...((rsTemplate.metadata as Obj | undefined) ?? {}), labels };
        newRs = this.cluster.create(
          this.r.replicasets,
          ns,
          {
            metadata: {
              name: `${m.name}-${hash}`,
              labels,
              annotations: {
                'deployment.kubernetes.io/desired-replicas': String(replicas),
                'deployment.kubernetes.io/max-replicas': String(replicas + maxSurge),
                'deployment.kubernetes.io/revision': String(maxRevision + 1),
              },
              ownerReferences: [ownerRef(d)],
            },
            spec: { replicas: initial, minReadySeconds: spec.minReadySeconds, selector, template: rsTemplate },
          },
          { manager: KCM },
        );
        if (initial > 0) this.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${meta(newRs).name} from 0 to ${initial}`, 'deployment-controller');
        progressed = true;
      }
      const availableOf = (rs: Obj) => this.podsOf(rs).filter(isReady).length;
      const scale = (rs: Obj, to: number) => {
        const from = Number((rs.spec as Obj).replicas ?? 0);
        if (from === to) return rs;
        const next = structuredClone(rs);
        (next.spec as Obj).replicas = to;
        (meta(next).annotations as Obj)['deployment.kubernetes.io/desired-replicas'] = String(replicas);
        (meta(next).annotations as Obj)['deployment.kubernetes.io/max-replicas'] = String(replicas + maxSurge);
        const updated = this.cluster.update(this.r.replicasets, ns, String(meta(rs).name), next, { manager: KCM });
        this.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${to > from ? 'up' : 'down'} replica set ${meta(rs).name} from ${from} to ${to}`, 'deployment-controller');
        progressed = true;
        return updated;
      };
      if (revisionOf(newRs) < maxRevision) {
        const next = structuredClone(newRs);
        (meta(next).annotations as Obj)['deployment.kubernetes.io/revision'] = String(maxRevision + 1);
        newRs = this.cluster.update(this.r.replicasets, ns, String(meta(newRs).name), next, { manager: KCM });
      }
      const newReplicas = Number((newRs.spec as Obj).replicas ?? 0);
      if (recreate) {
        for (const rs of olds) scale(rs, 0);
        if (olds.every((rs) => this.podsOf(rs).length === 0)) newRs = scale(newRs, replicas);
      } else {
        let target = replicas;
        if (oldReplicas > 0) target = Math.min(replicas, newReplicas + Math.max(0, replicas + maxSurge - (oldReplicas + newReplicas)));
        if (newReplicas > replicas) target = replicas;
        newRs = scale(newRs, target);
        const allReplicas = oldReplicas + Number((newRs.spec as Obj).replicas ?? 0);
        const minAvailable = replicas - maxUnavailable;
        const newUnavailable = Number((newRs.spec as Obj).replicas ?? 0) - availableOf(newRs);
        let budget = allReplicas - minAvailable - newUnavailable;
        for (const rs of olds) {
          const cur = Number((rs.spec as Obj).replicas ?? 0);
          if (cur === 0) continue;
          const unhealthy = cur - availableOf(rs);
          const down = Math.min(cur, Math.max(0, budget) + Math.max(0, unhealthy));
          if (down > 0) {
            scale(rs, cur - down);
            budget -= down;
          }
        }
      }
      this.deploymentStatus(d, newRs, olds, replicas, maxUnavailable, progressed);
    }
  }

  private deploymentStatus(d: Obj, newRs: Obj, olds: Obj[], replicas: number, maxUnavailable: number, progressedNow: boolean): void {
    const m = meta(d);
    const all = [newRs, ...olds].flatMap((rs) => this.podsOf(rs));
    const updatedPods = this.podsOf(newRs);
    const ready = all.filter(isReady).length;
    const total = all.length;
    const prev = (d.status ?? {}) as Obj;
    const status: Obj = { observedGeneration: m.generation };
    if (total) status.replicas = total;
    if (updatedPods.length) status.updatedReplicas = updatedPods.length;
    if (ready) status.readyReplicas = ready;
    if (ready) status.availableReplicas = ready;
    if (replicas - ready > 0) status.unavailableReplicas = replicas - ready;
    status.terminatingReplicas = 0;
    const t = now();
    const rsName = String(meta(newRs).name);
    let conditions = [...((prev.conditions as Obj[] | undefined) ?? [])];
    // util.SetDeploymentCondition: an unchanged status+reason is kept as is; otherwise the condition is
    // removed and appended again, keeping lastTransitionTime while the status stays the same
    const setCond = (c: Obj, forceUpdate = false) => {
      const old = conditions.find((x) => x.type === c.type);
      if (old && old.status === c.status && old.reason === c.reason && !forceUpdate) return;
      const next = { type: c.type, status: c.status, lastUpdateTime: t, lastTransitionTime: old && old.status === c.status ? old.lastTransitionTime : t, reason: c.reason, message: c.message };
      conditions = [...conditions.filter((x) => x !== old), next];
    };
    if (ready >= replicas - maxUnavailable) setCond({ type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
    else setCond({ type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: 'Deployment does not have minimum availability.' });
    const complete = updatedPods.length === replicas && ready === replicas && total === replicas && updatedPods.filter(isReady).length === replicas;
    const num = (k: string) => Number(prev[k] ?? 0);
    const progress =
      progressedNow ||
      updatedPods.length > num('updatedReplicas') ||
      total < num('replicas') ||
      ready > num('availableReplicas') ||
      ready > num('readyReplicas');
    const progressing = conditions.find((c) => c.type === 'Progressing');
    const deadline = this.faultOf(d) === 'progress-deadline' ? 0 : Number((d.spec as Obj).progressDeadlineSeconds ?? 600) * 1000;
    if (complete) {
      setCond({ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', message: `ReplicaSet "${rsName}" has successfully progressed.` });
    } else if (progress || !progressing) {
      setCond({ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: `ReplicaSet "${rsName}" is progressing.` }, true);
    } else if (progressing.reason !== 'ProgressDeadlineExceeded' && progressing.reason !== 'NewReplicaSetAvailable' && Date.now() - Date.parse(String(progressing.lastUpdateTime)) >= deadline) {
      setCond({ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: `ReplicaSet "${rsName}" has timed out progressing.` });
    }
    status.conditions = conditions;
    const revision = (meta(newRs).annotations as Obj | undefined)?.['deployment.kubernetes.io/revision'];
    let current = d;
    if ((m.annotations as Obj | undefined)?.['deployment.kubernetes.io/revision'] !== revision) {
      const next = structuredClone(d);
      meta(next).annotations = { ...((meta(next).annotations as Obj | undefined) ?? {}), 'deployment.kubernetes.io/revision': revision };
      current = this.cluster.update(this.r.deployments, String(m.namespace), String(m.name), next, { manager: KCM });
    }
    this.setStatus('deployments', current, status);
  }

  private replicaSets(): void {
    for (const rs of this.list('replicasets')) {
      const m = meta(rs);
      const spec = rs.spec as Obj;
      const want = Number(spec.replicas ?? 1);
      let pods = this.podsOf(rs);
      for (let i = pods.length; i < want; i++) {
        const p = this.makePod(rs, spec.template as Obj, { generateName: `${m.name}-` });
        this.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${meta(p).name}`, 'replicaset-controller');
      }
      if (pods.length > want) {
        const victims = [...pods].sort((a, b) => Number(isReady(a)) - Number(isReady(b))).slice(0, pods.length - want);
        for (const p of victims) {
          this.deletePod(p);
          this.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${meta(p).name}`, 'replicaset-controller');
        }
      }
      pods = this.podsOf(rs);
      const ready = pods.filter(isReady).length;
      const status: Obj = { replicas: pods.length, fullyLabeledReplicas: pods.length };
      if (ready) {
        status.readyReplicas = ready;
        status.availableReplicas = ready;
      }
      status.terminatingReplicas = 0;
      status.observedGeneration = m.generation;
      if (!pods.length) delete status.fullyLabeledReplicas;
      this.setStatus('replicasets', rs, status);
    }
  }

  private statefulSets(): void {
    for (const sts of this.list('statefulsets')) {
      const m = meta(sts);
      const spec = sts.spec as Obj;
      const want = Number(spec.replicas ?? 1);
      const revision = `${m.name}-${templateHash(spec.template)}`;
      const pods = this.podsOf(sts);
      const byOrdinal = new Map(pods.map((p) => [Number(String(meta(p).name).slice(String(m.name).length + 1)), p]));
      const revOf = (p: Obj) => (meta(p).labels as Obj | undefined)?.['controller-revision-hash'];
      let created = false;
      for (let i = 0; i < want && !created; i++) {
        const p = byOrdinal.get(i);
        if (p) {
          if (!isReady(p) && spec.podManagementPolicy !== 'Parallel') created = true;
          continue;
        }
        this.makePod(sts, spec.template as Obj, {
          name: `${m.name}-${i}`,
          labels: { 'controller-revision-hash': revision, 'statefulset.kubernetes.io/pod-name': `${m.name}-${i}`, 'apps.kubernetes.io/pod-index': String(i) },
        });
        this.event(sts, 'Normal', 'SuccessfulCreate', `create Pod ${m.name}-${i} in StatefulSet ${m.name} successful`, 'statefulset-controller');
        created = spec.podManagementPolicy !== 'Parallel';
      }
      for (const [i, p] of byOrdinal) if (i >= want) this.deletePod(p);
      const current = this.podsOf(sts);
      if (!created && current.length === want && current.every(isReady)) {
        const stale = current.filter((p) => revOf(p) !== revision).sort((a, b) => (String(meta(b).name) < String(meta(a).name) ? -1 : 1))[0];
        if (stale) this.deletePod(stale);
      }
      const after = this.podsOf(sts);
      const ready = after.filter(isReady).length;
      const updated = after.filter((p) => revOf(p) === revision).length;
      const prev = (sts.status ?? {}) as Obj;
      const done = updated === want && ready === want;
      const status: Obj = { observedGeneration: m.generation, replicas: after.length };
      if (ready) status.readyReplicas = ready;
      status.currentReplicas = done ? want : after.length - updated;
      status.updatedReplicas = updated;
      status.currentRevision = done ? revision : (prev.currentRevision ?? revision);
      status.updateRevision = revision;
      status.collisionCount = 0;
      status.availableReplicas = ready;
      this.setStatus('statefulsets', sts, status);
    }
  }

  private daemonSets(): void {
    for (const ds of this.list('daemonsets')) {
      const m = meta(ds);
      const spec = ds.spec as Obj;
      const hash = templateHash(spec.template);
      let pods = this.podsOf(ds);
      for (const p of pods) if ((meta(p).labels as Obj | undefined)?.['controller-revision-hash'] !== hash) this.deletePod(p);
      pods = this.podsOf(ds);
      if (!pods.length) {
        const p = this.makePod(ds, spec.template as Obj, { generateName: `${m.name}-`, labels: { 'controller-revision-hash': hash, 'pod-template-generation': String(m.generation) } });
        this.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${meta(p).name}`, 'daemonset-controller');
        pods = this.podsOf(ds);
      }
      const ready = pods.filter(isReady).length;
      const status: Obj = { currentNumberScheduled: 1, numberMisscheduled: 0, desiredNumberScheduled: 1, numberReady: ready, observedGeneration: m.generation, updatedNumberScheduled: pods.length };
      if (ready) status.numberAvailable = ready;
      else status.numberUnavailable = 1;
      this.setStatus('daemonsets', ds, status);
    }
  }

  private jobs(): void {
    for (const job of this.list('jobs')) {
      const m = meta(job);
      const spec = job.spec as Obj;
      const prev = (job.status ?? {}) as Obj;
      const finished = ['Complete', 'Failed'].some((t) => condition(job, t)?.status === 'True');
      const pods = this.podsOf(job);
      const succeededPods = pods.filter((p) => phase(p) === 'Succeeded');
      const failedPods = pods.filter((p) => phase(p) === 'Failed');
      const active = pods.filter((p) => phase(p) !== 'Succeeded' && phase(p) !== 'Failed');
      for (const p of [...succeededPods, ...failedPods]) {
        if (Array.isArray(meta(p).finalizers) && (meta(p).finalizers as string[]).includes('batch.kubernetes.io/job-tracking')) {
          const next = structuredClone(p);
          meta(next).finalizers = (meta(next).finalizers as string[]).filter((f) => f !== 'batch.kubernetes.io/job-tracking');
          if (!(meta(next).finalizers as string[]).length) delete meta(next).finalizers;
          this.cluster.update(this.r.pods, String(m.namespace), String(meta(p).name), next, { manager: KCM });
        }
      }
      const completions = Number(spec.completions ?? 1);
      const parallelism = Number(spec.parallelism ?? 1);
      const backoffLimit = Number(spec.backoffLimit ?? 6);
      const succeeded = succeededPods.length;
      const failed = failedPods.length;
      const t = now();
      const status: Obj = { ...prev };
      status.startTime ??= t;
      if (!finished) {
        if (failed > backoffLimit) {
          for (const p of active) this.deletePod(p);
          const c = { status: 'True', lastProbeTime: t, lastTransitionTime: t, reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
          status.conditions = [{ type: 'FailureTarget', ...c }, { type: 'Failed', ...c }];
          this.event(job, 'Warning', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', 'job-controller');
        } else if (succeeded >= completions) {
          const c = { status: 'True', lastProbeTime: t, lastTransitionTime: t, reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' };
          status.conditions = [{ type: 'SuccessCriteriaMet', ...c }, { type: 'Complete', ...c }];
          status.completionTime = t;
          this.event(job, 'Normal', 'Completed', 'Job completed', 'job-controller');
        } else if (!spec.suspend) {
          const want = Math.min(parallelism, completions - succeeded) - active.length;
          for (let i = 0; i < want; i++) {
            const p = this.makePod(job, spec.template as Obj, { generateName: `${m.name}-`, finalizers: ['batch.kubernetes.io/job-tracking'] });
            this.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${meta(p).name}`, 'job-controller');
          }
        }
      }
      const stillActive = this.podsOf(job).filter((p) => phase(p) !== 'Succeeded' && phase(p) !== 'Failed');
      const isDone = !!status.conditions;
      if (stillActive.length && !isDone) status.active = stillActive.length;
      else delete status.active;
      if (succeeded) status.succeeded = succeeded;
      if (failed) status.failed = failed;
      status.terminating = 0;
      status.uncountedTerminatedPods = {};
      status.ready = isDone ? 0 : stillActive.filter(isReady).length;
      this.setStatus('jobs', job, status);
    }
  }

  // The emulated scheduler + kubelet: binds pods and reports container states, honouring fault switches.
  private kubelet(): void {
    for (const pod of this.list('pods')) {
      const m = meta(pod);
      const settled = ['Succeeded', 'Failed'].includes(String(phase(pod)));
      if (settled) continue;
      const fault = this.faultOf(pod);
      if (!fault && phase(pod) === 'Running' && isReady(pod) && (pod.spec as Obj).restartPolicy === 'Always') continue;
      if (fault === 'stall' || fault === 'progress-deadline') continue;
      const ns = String(m.namespace);
      const name = String(m.name);
      let p = pod;
      const spec = p.spec as Obj;
      if (!spec.nodeName) {
        p = this.cluster.update(this.r.pods, ns, name, { ...structuredClone(p), spec: { ...spec, nodeName: NODE } }, { manager: 'kube-scheduler' });
      }
      const prev = (p.status ?? {}) as Obj;
      if (prev.phase === 'Succeeded' || prev.phase === 'Failed') continue;
      const t = now();
      const start = String(prev.startTime ?? t);
      const containers = ((p.spec as Obj).containers as Obj[]) ?? [];
      const oneShot = (p.spec as Obj).restartPolicy !== 'Always';
      const cond = (type: string, ok: boolean, reason?: string, message?: string): Obj => {
        const old = (prev.conditions as Obj[] | undefined)?.find((c) => c.type === type);
        const c: Obj = { type, status: ok ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: old && old.status === (ok ? 'True' : 'False') ? old.lastTransitionTime : t };
        if (reason) c.reason = reason;
        if (message) c.message = message;
        return c;
      };
      const image = (c: Obj) => {
        const ref = String(c.image);
        return ref.includes('/') && ref.split('/')[0]!.includes('.') ? ref : `docker.io/library/${ref}`.replace('library/library/', 'library/');
      };
      const names = containers.map((c) => c.name).join(' ');
      const ip = `10.244.0.${(Number.parseInt(String(m.uid).slice(0, 2), 16) % 250) + 2}`;
      const base = { podIP: ip, podIPs: [{ ip }], hostIP: '10.0.0.10', hostIPs: [{ ip: '10.0.0.10' }], startTime: start, qosClass: prev.qosClass ?? 'BestEffort' };
      let status: Obj;
      const notReady = (ph: string, states: Obj[], reason = 'ContainersNotReady') => ({
        phase: ph,
        conditions: [
          cond('PodReadyToStartContainers', true),
          cond('Initialized', true),
          cond('Ready', false, reason, reason === 'PodCompleted' ? undefined : `containers with unready status: [${names}]`),
          cond('ContainersReady', false, reason, reason === 'PodCompleted' ? undefined : `containers with unready status: [${names}]`),
          cond('PodScheduled', true),
        ],
        ...base,
        containerStatuses: states,
      });
      const cid = () => `containerd://${randomBytes(32).toString('hex')}`;
      const prevStatus = (c: Obj) => ((prev.containerStatuses as Obj[] | undefined) ?? []).find((s) => s.name === c.name);
      if (fault === 'image-pull-backoff') {
        status = notReady('Pending', containers.map((c) => ({
          name: c.name,
          state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${c.image}": ErrImagePull: failed to pull and unpack image "${image(c)}": failed to resolve reference "${image(c)}": ${image(c)}: not found` } },
          lastState: {},
          ready: false,
          restartCount: 0,
          image: String(c.image),
          imageID: '',
          started: false,
        })));
        if (prev.phase === undefined || !prev.containerStatuses) {
          for (const c of containers) {
            this.event(p, 'Warning', 'Failed', `Failed to pull image "${c.image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image(c)}": not found`, 'kubelet', `spec.containers{${c.name}}`);
            this.event(p, 'Warning', 'Failed', 'Error: ErrImagePull', 'kubelet', `spec.containers{${c.name}}`);
            this.event(p, 'Normal', 'BackOff', `Back-off pulling image "${c.image}"`, 'kubelet', `spec.containers{${c.name}}`);
            this.event(p, 'Warning', 'Failed', 'Error: ImagePullBackOff', 'kubelet', `spec.containers{${c.name}}`);
          }
        }
      } else if (fault === 'crash-loop' || fault === 'oom-killed') {
        const restarts = Math.min(1 + Math.floor((Date.now() - Date.parse(start)) / 1000), 5);
        const unchanged = containers.every((c) => prevStatus(c)?.restartCount === restarts);
        if (unchanged && prev.containerStatuses) continue;
        status = notReady('Running', containers.map((c) => {
          const id = cid();
          return {
            name: c.name,
            state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.min(10 * 2 ** restarts, 300)}s restarting failed container=${c.name} pod=${name}_${ns}(${m.uid})` } },
            lastState: { terminated: fault === 'oom-killed' ? { exitCode: 137, reason: 'OOMKilled', startedAt: start, finishedAt: t, containerID: id } : { exitCode: 1, reason: 'Error', startedAt: start, finishedAt: t, containerID: id } },
            ready: false,
            restartCount: restarts,
            image: image(c),
            imageID: `${image(c).split(':')[0]}@sha256:${'0'.repeat(64)}`,
            containerID: id,
            started: false,
          };
        }));
        for (const c of containers) this.event(p, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${name}_${ns}(${m.uid})`, 'kubelet', `spec.containers{${c.name}}`);
      } else if (oneShot && prev.phase === 'Running') {
        const failing = fault === 'job-fail';
        status = notReady(failing ? 'Failed' : 'Succeeded', containers.map((c) => ({
          name: c.name,
          state: { terminated: { exitCode: failing ? 1 : 0, reason: failing ? 'Error' : 'Completed', startedAt: start, finishedAt: t, containerID: prevStatus(c)?.containerID ?? cid() } },
          lastState: {},
          ready: false,
          restartCount: 0,
          image: image(c),
          imageID: prevStatus(c)?.imageID ?? '',
          containerID: prevStatus(c)?.containerID ?? cid(),
          started: false,
        })), failing ? 'PodFailed' : 'PodCompleted');
      } else {
        if (prev.phase === 'Running' && isReady(p)) continue;
        status = {
          phase: 'Running',
          conditions: [cond('PodReadyToStartContainers', true), cond('Initialized', true), cond('Ready', true), cond('ContainersReady', true), cond('PodScheduled', true)],
          ...base,
          containerStatuses: containers.map((c) => {
            const id = cid();
            return { name: c.name, state: { running: { startedAt: t } }, lastState: {}, ready: true, restartCount: 0, image: image(c), imageID: `${image(c).split(':')[0]}@sha256:${randomBytes(32).toString('hex')}`, containerID: id, started: true };
          }),
        };
      }
      this.setStatus('pods', p, status, 'kubelet');
    }
  }

  // Garbage collector: dependents whose owners are all gone are deleted (background propagation).
  private gc(): void {
    const removed = this.cluster.store.removed;
    if (removed === this.lastGcRemovals && ++this.gcSkips % 20 !== 0) return;
    this.lastGcRemovals = removed;
    const all = this.cluster.store.all();
    const uids = new Set(all.map((x) => meta(x.object).uid));
    for (const { group, resource, object } of all) {
      const refs = meta(object).ownerReferences as Obj[] | undefined;
      if (!refs?.length || refs.some((r) => uids.has(r.uid))) continue;
      this.cluster.store.remove({ group, resource }, String(meta(object).namespace ?? ''), String(meta(object).name));
    }
  }
}
