import type { ResourceInfo } from './resources.ts';

export type Obj = Record<string, unknown>;
export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';
export interface StoreEvent {
  type: EventType;
  group: string;
  resource: string;
  namespace: string;
  object: Obj;
  rv: number;
}

const key = (group: string, resource: string, namespace: string, name: string) => `${group}\u0000${resource}\u0000${namespace}\u0000${name}`;

export const meta = (o: Obj): Obj => o.metadata as Obj;

/** Objects by group/resource/namespace/name with one global resourceVersion counter, like etcd's revision. */
export class Store {
  private rv = 100;
  private readonly objects = new Map<string, Obj>();
  // recent events, so that a watch from a given resourceVersion can replay what it missed
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<(e: StoreEvent) => void>();

  get revision(): number {
    return this.rv;
  }

  get(r: Pick<ResourceInfo, 'group' | 'resource'>, namespace: string, name: string): Obj | undefined {
    return this.objects.get(key(r.group, r.resource, namespace, name));
  }

  list(r: Pick<ResourceInfo, 'group' | 'resource'>, namespace?: string): Obj[] {
    const prefix = namespace === undefined ? key(r.group, r.resource, '', '').slice(0, -1) : key(r.group, r.resource, namespace, '');
    const out: Array<[string, Obj]> = [];
    for (const [k, v] of this.objects) if (k.startsWith(prefix)) out.push([k, v]);
    out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return out.map(([, v]) => v);
  }

  /** Stores the object under a new resourceVersion (written into it) and notifies watchers. */
  put(r: Pick<ResourceInfo, 'group' | 'resource'>, o: Obj): Obj {
    const m = meta(o);
    const namespace = (m.namespace as string | undefined) ?? '';
    const k = key(r.group, r.resource, namespace, m.name as string);
    const type: EventType = this.objects.has(k) ? 'MODIFIED' : 'ADDED';
    this.rv++;
    m.resourceVersion = String(this.rv);
    this.objects.set(k, o);
    this.emit({ type, group: r.group, resource: r.resource, namespace, object: o, rv: this.rv });
    return o;
  }

  remove(r: Pick<ResourceInfo, 'group' | 'resource'>, namespace: string, name: string): Obj | undefined {
    const k = key(r.group, r.resource, namespace, name);
    const o = this.objects.get(k);
    if (!o) return undefined;
    this.objects.delete(k);
    this.rv++;
    const gone = structuredClone(o);
    meta(gone).resourceVersion = String(this.rv);
    this.emit({ type: 'DELETED', group: r.group, resource: r.resource, namespace, object: gone, rv: this.rv });
    return o;
  }

  all(): Array<{ group: string; resource: string; object: Obj }> {
    return [...this.objects].map(([k, object]) => {
      const [group, resource] = k.split('\u0000');
      return { group, resource, object };
    });
  }

  since(rv: number): StoreEvent[] {
    return this.history.filter((e) => e.rv > rv);
  }

  subscribe(fn: (e: StoreEvent) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length > 5000) this.history.splice(0, 1000);
    for (const fn of this.listeners) fn(e);
  }
}
