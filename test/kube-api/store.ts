import type { ResourceInfo } from './resources.ts';

export type Obj = Record<string, unknown>;
type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface StoreEvent {
  type: EventType;
  group: string;
  resource: string;
  namespace: string;
  object: Obj;
  rv: number;
}

const bucketKey = (group: string, resource: string, namespace: string) => `${group}\u0000${resource}\u0000${namespace}`;

export const meta = (o: Obj): Obj => o.metadata as Obj;

const ownerUids = (o: Obj): string[] => ((meta(o).ownerReferences as Obj[] | undefined) ?? []).map((r) => String(r.uid));

interface Entry {
  group: string;
  resource: string;
  object: Obj;
}

/**
 * Objects by group/resource/namespace/name with one global resourceVersion counter, like etcd's revision.
 * Objects are indexed per namespace and by owner uid, so that controllers stay cheap with thousands of objects.
 */
export class Store {
  private rv = 100;
  private removals = 0;
  private readonly buckets = new Map<string, Map<string, Entry>>();
  // "group\0resource" -> namespaces that have a bucket, for cluster-wide lists
  private readonly namespacesOf = new Map<string, Set<string>>();
  private readonly dependents = new Map<string, Set<Entry>>();
  // recent events, so that a watch from a given resourceVersion can replay what it missed
  private readonly history: StoreEvent[] = [];
  // resourceVersions up to this one are gone from history, as etcd compaction removes them
  private compactedRv = 0;
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  get revision(): number {
    return this.rv;
  }

  /** Counts deletions, so that the garbage collector can skip passes in which no owner can have gone. */
  get removed(): number {
    return this.removals;
  }

  get(r: Pick<ResourceInfo, 'group' | 'resource'>, namespace: string, name: string): Obj | undefined {
    return this.buckets.get(bucketKey(r.group, r.resource, namespace))?.get(name)?.object;
  }

  /** Objects of a resource, in one namespace or all, sorted by namespace and name as etcd keys are. */
  list(r: Pick<ResourceInfo, 'group' | 'resource'>, namespace?: string): Obj[] {
    const namespaces = namespace === undefined ? [...(this.namespacesOf.get(`${r.group}\u0000${r.resource}`) ?? [])].sort() : [namespace];
    const out: Obj[] = [];
    for (const ns of namespaces) {
      const bucket = this.buckets.get(bucketKey(r.group, r.resource, ns));
      if (!bucket) continue;
      const names = [...bucket.keys()].sort();
      for (const n of names) out.push((bucket.get(n) as Entry).object);
    }
    return out;
  }

  /** Objects whose ownerReferences name the given uid. */
  ownedBy(uid: string): Obj[] {
    return [...(this.dependents.get(uid) ?? [])].map((e) => e.object);
  }

  /** Stores the object under a new resourceVersion (written into it) and notifies watchers. */
  put(r: Pick<ResourceInfo, 'group' | 'resource'>, o: Obj): Obj {
    const m = meta(o);
    const namespace = (m.namespace as string | undefined) ?? '';
    const bk = bucketKey(r.group, r.resource, namespace);
    let bucket = this.buckets.get(bk);
    if (!bucket) {
      bucket = new Map();
      this.buckets.set(bk, bucket);
      const gr = `${r.group}\u0000${r.resource}`;
      if (!this.namespacesOf.has(gr)) this.namespacesOf.set(gr, new Set());
      this.namespacesOf.get(gr)?.add(namespace);
    }
    const name = m.name as string;
    const previous = bucket.get(name);
    if (previous) this.unindex(previous);
    const entry: Entry = { group: r.group, resource: r.resource, object: o };
    bucket.set(name, entry);
    this.index(entry);
    this.rv++;
    m.resourceVersion = String(this.rv);
    this.emit({ type: previous ? 'MODIFIED' : 'ADDED', group: r.group, resource: r.resource, namespace, object: o, rv: this.rv });
    return o;
  }

  remove(r: Pick<ResourceInfo, 'group' | 'resource'>, namespace: string, name: string): Obj | undefined {
    const bucket = this.buckets.get(bucketKey(r.group, r.resource, namespace));
    const entry = bucket?.get(name);
    if (!bucket || !entry) return undefined;
    bucket.delete(name);
    this.unindex(entry);
    this.removals++;
    this.rv++;
    const gone = structuredClone(entry.object);
    meta(gone).resourceVersion = String(this.rv);
    this.emit({ type: 'DELETED', group: r.group, resource: r.resource, namespace, object: gone, rv: this.rv });
    return entry.object;
  }

  all(): Entry[] {
    const out: Entry[] = [];
    for (const bucket of this.buckets.values()) out.push(...bucket.values());
    return out;
  }

  /** Events after `rv`; undefined when some of them are no longer kept (a watch from there gets 410 Gone). */
  since(rv: number): StoreEvent[] | undefined {
    if (rv < this.compactedRv) return undefined;
    return this.history.filter((e) => e.rv > rv);
  }

  /** Forgets all history, as an etcd compaction at the current revision does. */
  compact(): void {
    this.history.length = 0;
    this.compactedRv = this.rv;
  }

  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private index(e: Entry): void {
    for (const uid of ownerUids(e.object)) {
      if (!this.dependents.has(uid)) this.dependents.set(uid, new Set());
      this.dependents.get(uid)?.add(e);
    }
  }

  private unindex(e: Entry): void {
    for (const uid of ownerUids(e.object)) this.dependents.get(uid)?.delete(e);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > 5000) this.compactedRv = this.history.splice(0, 1000).at(-1)!.rv;
    for (const fn of this.listeners) fn(e);
  }
}
