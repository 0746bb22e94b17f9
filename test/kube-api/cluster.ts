// The emulated cluster state and the write paths shared by the HTTP layer and the controllers:
// create, update, server-side apply and delete, each with defaulting, validation and managedFields.
import { randomUUID } from 'node:crypto';
import { Authenticator, Authorizer, type Identity } from './auth.ts';
import { applyDefaults } from './defaults.ts';
import { deepEqual, isObj, pathString } from './fields.ts';
import { apply, type Conflict, managerLabel, now, recordUpdate, writeManagers } from './managed.ts';
import { Registry, type ResourceInfo } from './resources.ts';
import { builtinSchemas, deduced, fromOpenApi, objectMeta, type Schema } from './schema.ts';
import { type ApiError, alreadyExists, conflictRv, namespaceStillTerminating, namespaceTerminating, notFound, status, type Target } from './status.ts';
import { meta, type Obj, Store } from './store.ts';
import { validateObject } from './validation.ts';

export type Fault = 'stall' | 'progress-deadline' | 'image-pull-backoff' | 'crash-loop' | 'oom-killed' | 'job-fail';
export const faultAnnotation = 'emulator.sortie.dev/fault';

const genericSchema: Schema = { t: 'struct', fields: { metadata: objectMeta }, open: true };

// Kinds whose objects carry metadata.generation (it counts spec changes); core kinds other than Pod do not.
function hasGeneration(r: ResourceInfo): boolean {
  if (r.custom) return true;
  if (r.group === '') return r.kind === 'Pod';
  return !['rbac.authorization.k8s.io', 'events.k8s.io', 'coordination.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'discovery.k8s.io'].includes(r.group);
}

const hasStatus = (r: ResourceInfo): boolean => r.subresources.some((s) => s.name === 'status');

export const target = (r: ResourceInfo, name?: string): Target => ({ group: r.group, resource: r.resource, kind: r.kind, name });

const suffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';
export function randomSuffix(n = 5): string {
  let s = '';
  for (let i = 0; i < n; i++) s += suffixAlphabet[Math.floor(Math.random() * suffixAlphabet.length)];
  return s;
}

interface WriteOptions {
  manager: string;
  dryRun?: boolean;
  subresource?: string;
}

function conflictError(conflicts: Conflict[]): ApiError {
  const causes = conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${managerLabel(c.manager)}`, field: pathString(c.path) }));
  let message: string;
  if (conflicts.length === 1) message = `Apply failed with 1 conflict: conflict with ${managerLabel(conflicts[0]!.manager)}: ${causes[0]!.field}`;
  else {
    const byManager = new Map<string, string[]>();
    for (const c of conflicts) {
      const label = managerLabel(c.manager);
      byManager.set(label, [...(byManager.get(label) ?? []), pathString(c.path)]);
    }
    const lines: string[] = [];
    for (const label of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${label}:`);
      for (const p of byManager.get(label) ?? []) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${conflicts.length} conflicts: ${lines.join('\n')}`;
  }
  return status(409, 'Conflict', message, { causes });
}

export class Cluster {
  readonly store = new Store();
  readonly registry = new Registry();
  readonly authn: Authenticator;
  readonly authz: Authorizer;
  readonly faults = new Map<string, Fault>();
  /** Watches being served, so that a test can drop their connections. */
  readonly watches = new Set<{ drop(): void }>();
  readonly identities: Identity[];
  private readonly crdSchemas = new Map<string, Schema>();
  readonly caPem: string;

  constructor(identities: Identity[], caPem: string) {
    this.caPem = caPem;
    this.identities = identities;
    this.authn = new Authenticator(identities);
    this.authz = new Authorizer(this.store);
  }

  info(group: string, resource: string): ResourceInfo {
    const r = this.registry.all().find((x) => x.group === group && x.resource === resource);
    if (!r) throw new Error(`no resource ${group}/${resource}`);
    return r;
  }

  schemaFor(r: ResourceInfo): Schema {
    if (r.custom) return this.crdSchemas.get(`${r.group}/${r.version}/${r.resource}`) ?? { t: 'struct', fields: { metadata: objectMeta }, rest: deduced };
    return builtinSchemas[`${r.group}/${r.kind}`] ?? genericSchema;
  }

  setCrdSchema(r: ResourceInfo, openApi: unknown): void {
    this.crdSchemas.set(`${r.group}/${r.version}/${r.resource}`, fromOpenApi(openApi as never));
  }

  namespaceExists(ns: string): boolean {
    return !!this.store.get({ group: '', resource: 'namespaces' }, '', ns);
  }

  /** Admission's NamespaceLifecycle: nothing new is created in a namespace being deleted; updates still pass. */
  checkNotTerminating(r: ResourceInfo, namespace: string, name: string | undefined): void {
    if (!r.namespaced || (name !== undefined && this.store.get(r, namespace, name))) return;
    const ns = this.store.get({ group: '', resource: 'namespaces' }, '', namespace);
    if (ns && meta(ns).deletionTimestamp) throw namespaceTerminating(target(r, name), namespace);
  }

  private finish(r: ResourceInfo, live: Obj | undefined, next: Obj, opts: WriteOptions): Obj {
    applyDefaults(r.group, r.kind, next);
    if (!opts.subresource) validateObject(r.group, r.kind, next, r.namespaced);
    const m = meta(next);
    if (hasGeneration(r)) {
      const specOf = (o: Obj | undefined) => {
        if (!o) return undefined;
        const { metadata: _m, status: _s, ...rest } = o;
        return rest;
      };
      const prev = (live && (meta(live).generation as number)) || 0;
      m.generation = !live ? 1 : deepEqual(specOf(live), specOf(next)) ? prev : prev + 1;
    }
    return next;
  }

  private commit(r: ResourceInfo, live: Obj | undefined, next: Obj, dryRun: boolean | undefined): Obj {
    if (live && sameObject(live, next)) return live;
    if (dryRun) {
      if (!live) delete meta(next).resourceVersion;
      return next;
    }
    return this.store.put(r, next);
  }

  private newMeta(r: ResourceInfo, namespace: string, body: Obj): Obj {
    const m: Obj = isObj(body.metadata) ? { ...body.metadata } : {};
    if (!m.name && typeof m.generateName === 'string') m.name = m.generateName + randomSuffix();
    if (r.namespaced) m.namespace = namespace;
    else delete m.namespace;
    m.uid = randomUUID();
    m.creationTimestamp = now();
    delete m.resourceVersion;
    delete m.managedFields;
    return m;
  }

  create(r: ResourceInfo, namespace: string, body: Obj, opts: WriteOptions): Obj {
    const next: Obj = { kind: r.kind, apiVersion: r.group ? `${r.group}/${r.version}` : r.version, ...body };
    next.metadata = this.newMeta(r, namespace, body);
    const name = String(meta(next).name ?? '');
    if (name && this.store.get(r, namespace, name)) throw alreadyExists(target(r, name));
    this.finish(r, undefined, next, opts);
    writeManagers(next, recordUpdate(this.schemaFor(r), undefined, next, opts.manager, next.apiVersion as string));
    return this.commit(r, undefined, next, opts.dryRun);
  }

  update(r: ResourceInfo, namespace: string, name: string, body: Obj, opts: WriteOptions): Obj {
    const live = this.store.get(r, namespace, name);
    if (!live) throw notFound(target(r, name));
    const bodyMeta = isObj(body.metadata) ? body.metadata : {};
    if (bodyMeta.resourceVersion && bodyMeta.resourceVersion !== meta(live).resourceVersion) throw conflictRv(target(r, name));
    let next: Obj;
    if (opts.subresource === 'status') next = { ...structuredClone(live), status: structuredClone(body.status) };
    else {
      next = { ...structuredClone(body), kind: live.kind, apiVersion: live.apiVersion };
      const m = { ...bodyMeta };
      for (const k of ['uid', 'creationTimestamp', 'generation', 'name', 'namespace', 'managedFields', 'deletionTimestamp']) {
        if (meta(live)[k] === undefined) delete m[k];
        else m[k] = meta(live)[k];
      }
      next.metadata = m;
      if (hasStatus(r) && live.status !== undefined) next.status = structuredClone(live.status);
    }
    meta(next).resourceVersion = meta(live).resourceVersion;
    this.finish(r, live, next, opts);
    writeManagers(next, recordUpdate(this.schemaFor(r), live, next, opts.manager, String(live.apiVersion), opts.subresource));
    return this.commit(r, live, next, opts.dryRun);
  }

  applyObject(r: ResourceInfo, namespace: string, name: string, applied: Obj, opts: WriteOptions & { force: boolean }): { object: Obj; created: boolean } {
    const live = this.store.get(r, namespace, name);
    const apiVersion = String(applied.apiVersion);
    const body = structuredClone(applied);
    // status is reset on the main resource when a status subresource exists
    if (hasStatus(r) && !opts.subresource) delete body.status;
    const outcome = apply({ schema: this.schemaFor(r), live, applied: body, manager: opts.manager, apiVersion, force: opts.force });
    if (!outcome.ok) throw conflictError(outcome.conflicts);
    // The merged object shares parts with the stored one; defaulting (a Secret's stringData into
    // data) must not write into the store, above all on a dry run.
    const next = structuredClone(outcome.object);
    next.kind = r.kind;
    next.apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
    if (live) {
      const m = meta(next);
      for (const k of ['uid', 'creationTimestamp', 'generation', 'resourceVersion']) m[k] = meta(live)[k];
      if (hasStatus(r) && live.status !== undefined) next.status = structuredClone(live.status);
    } else {
      next.metadata = { ...this.newMeta(r, namespace, next), name };
    }
    this.finish(r, live, next, opts);
    const self = outcome.managers.find((m) => m.manager === opts.manager && m.operation === 'Apply' && !m.subresource);
    writeManagers(next, outcome.managers);
    if (live && sameObject(live, next)) return { object: live, created: false };
    if (self) self.time = now();
    writeManagers(next, outcome.managers);
    return { object: this.commit(r, live, next, opts.dryRun), created: !live };
  }

  delete(r: ResourceInfo, namespace: string, name: string, opts: { dryRun?: boolean; propagation?: string }): Obj {
    const live = this.store.get(r, namespace, name);
    if (!live) throw notFound(target(r, name));
    // The namespace registry's first delete is an update to Terminating (a dry run answers it unstored); a later one a conflict.
    if (r.group === '' && r.resource === 'namespaces') {
      if (meta(live).deletionTimestamp) throw namespaceStillTerminating(name);
      const m = { ...meta(live), deletionTimestamp: now() };
      const next = { ...structuredClone(live), metadata: m, status: { phase: 'Terminating' } };
      return opts.dryRun ? next : this.store.put(r, next);
    }
    if (opts.dryRun) return live;
    this.store.remove(r, namespace, name);
    if (opts.propagation === 'Orphan') this.orphan(String(meta(live).uid));
    return live;
  }

  private orphan(uid: string): void {
    for (const { group, resource, object } of this.store.all()) {
      const refs = meta(object).ownerReferences;
      if (!Array.isArray(refs) || !refs.some((x) => x.uid === uid)) continue;
      const next = structuredClone(object);
      const kept = refs.filter((x) => x.uid !== uid);
      if (kept.length) meta(next).ownerReferences = kept;
      else delete meta(next).ownerReferences;
      this.store.put({ group, resource }, next);
    }
  }

  faultFor(kind: string, namespace: string, name: string): Fault | undefined {
    return this.faults.get(`${kind}/${namespace}/${name}`);
  }
}

// resourceVersion and managedFields times change on every write; a write that changes nothing else is a no-op.
function sameObject(a: Obj, b: Obj): boolean {
  const { metadata: ma, ...ra } = a;
  const { metadata: mb, ...rb } = b;
  const { resourceVersion: _ra, managedFields: fa, ...restA } = ma as Obj;
  const { resourceVersion: _rb, managedFields: fb, ...restB } = mb as Obj;
  const untimed = (f: unknown) => (Array.isArray(f) ? f.map(({ time: _t, ...rest }: Obj) => rest) : f);
  return deepEqual(ra, rb) && deepEqual(restA, restB) && deepEqual(untimed(fa), untimed(fb));
}
