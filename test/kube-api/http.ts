// HTTP routing: URL parsing into request attributes, authentication, authorization, and the per-verb handlers.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { anonymous, type Attributes, forbiddenMessage, nonResourceRules, type UserInfo } from './auth.ts';
import { type Cluster, target } from './cluster.ts';
import { isObj } from './fields.ts';
import { now } from './managed.ts';
import { podLog } from './pods.ts';
import { type ResourceInfo, versionInfo } from './resources.ts';
import { child, type Schema, prune } from './schema.ts';
import { fieldSelector, labelSelector, type Predicate } from './selectors.ts';
import {
  ApiError,
  badRequest,
  methodNotAllowed,
  notFound,
  pageNotFound,
  resourceNotFound,
  status,
  success,
} from './status.ts';
import { meta, type Obj, type StoreEvent } from './store.ts';
import { table, wantsTable } from './table.ts';
import { checkApplyTypes, checkCustomTypes, checkWriteFields, decode, fieldValidation } from './validation.ts';

export interface RequestRecord {
  method: string;
  path: string;
  user: string;
  status: number;
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  user: UserInfo;
  warnings: string[];
}

interface ResourceRequest {
  r: ResourceInfo;
  namespace: string;
  name?: string;
  subresource?: string;
  verb: string;
}

function send(ctx: Ctx, code: number, body: unknown, contentType = 'application/json'): void {
  const headers: Record<string, string | string[]> = {};
  if (ctx.warnings.length) headers.Warning = ctx.warnings.map((w) => `299 - ${JSON.stringify(w)}`);
  if (body === undefined) {
    ctx.res.writeHead(code, headers).end();
    return;
  }
  headers['Content-Type'] = contentType;
  ctx.res.writeHead(code, headers).end(typeof body === 'string' ? body : JSON.stringify(body));
}

function sendError(ctx: Ctx, e: ApiError): void {
  if (typeof e.body === 'string') send(ctx, e.code, e.body, 'text/plain; charset=utf-8');
  else send(ctx, e.code, e.body);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sortKeysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeysDeep);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const k of Object.keys(v).sort()) out[k] = sortKeysDeep(v[k]);
  return out;
}

// Custom resources are served as unstructured JSON, whose keys come out sorted.
const render = (r: ResourceInfo, o: Obj): unknown => (r.custom ? sortKeysDeep(o) : o);

function authenticate(cluster: Cluster, req: IncomingMessage): UserInfo | 'invalid' {
  const auth = req.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth);
    const user = m ? cluster.authn.lookup(m[1]!.trim()) : undefined;
    return user ?? 'invalid';
  }
  const socket = req.socket as TLSSocket;
  const cert = socket.getPeerCertificate();
  const presented = !!cert && Object.keys(cert).length > 0;
  // a certificate the CA did not sign fails authentication (401) instead of falling back to anonymous
  if (presented && !socket.authorized) return 'invalid';
  if (presented && cert.subject?.CN) {
    const o = cert.subject.O;
    const groups = Array.isArray(o) ? o : o ? [o] : [];
    // a configured identity brings its rules (none: unrestricted); any other certificate user has only RBAC
    const configured = cluster.identities.find((i) => i.user === cert.subject.CN);
    return { username: String(cert.subject.CN), groups: [...groups, 'system:authenticated'], rules: configured?.rules, rbacOnly: !configured };
  }
  return anonymous;
}

function managerFor(ctx: Ctx): string {
  const fm = ctx.url.searchParams.get('fieldManager');
  if (fm) return fm;
  const ua = ctx.req.headers['user-agent'];
  return ua ? ua.split('/')[0]! : 'unknown';
}

function isDryRun(q: URLSearchParams, body?: unknown): boolean {
  if (q.getAll('dryRun').includes('All')) return true;
  return isObj(body) && Array.isArray(body.dryRun) && body.dryRun.includes('All');
}

function parseGroupVersion(segs: string[]): { group: string; version: string; rest: string[] } | undefined {
  if (segs[0] === 'api' && segs[1] === 'v1') return { group: '', version: 'v1', rest: segs.slice(2) };
  if (segs[0] === 'apis' && segs.length >= 3) return { group: segs[1]!, version: segs[2]!, rest: segs.slice(3) };
  return undefined;
}

function verbFor(method: string, hasName: boolean, q: URLSearchParams): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (!hasName && ['1', 'true'].includes(q.get('watch') ?? '')) return 'watch';
      return hasName ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return hasName ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

export function createHandler(cluster: Cluster, log: RequestRecord[], serverAddress: string, latencyMs = 0) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    const url = new URL(req.url ?? '/', 'https://localhost');
    const authn = authenticate(cluster, req);
    const user = authn === 'invalid' ? anonymous : authn;
    const ctx: Ctx = { req, res, url, user, warnings: [] };
    // At its end: a watch's connection may close without the answer ever finishing.
    let logged = false;
    const record = () => {
      if (!logged) log.push({ method: req.method ?? '', path: url.pathname + url.search, user: authn === 'invalid' ? '' : user.username, status: res.statusCode });
      logged = true;
    };
    res.on('finish', record);
    res.on('close', record);
    try {
      if (authn === 'invalid') throw status(401, 'Unauthorized', 'Unauthorized');
      await route(cluster, ctx, serverAddress);
    } catch (e) {
      if (e instanceof ApiError) sendError(ctx, e);
      else {
        const err = status(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`);
        sendError(ctx, err);
      }
    }
  };
}

async function route(cluster: Cluster, ctx: Ctx, serverAddress: string): Promise<void> {
  const path = ctx.url.pathname.replace(/\/+$/, '') || '/';
  const segs = path.split('/').filter(Boolean);
  const method = ctx.req.method ?? 'GET';
  const publicPaths = ['/version', '/healthz', '/livez', '/readyz'];
  if (!publicPaths.includes(path) && !ctx.user.groups.includes('system:authenticated') && !(segs[0] === 'api' || segs[0] === 'apis')) {
    throw status(403, 'Forbidden', `forbidden: User "${ctx.user.username}" cannot ${method.toLowerCase()} path "${path}"`, {});
  }
  if (method === 'GET' && publicPaths.includes(path)) {
    if (path === '/version') send(ctx, 200, versionInfo);
    else send(ctx, 200, 'ok', 'text/plain; charset=utf-8');
    return;
  }
  const aggregated = (ctx.req.headers.accept ?? '').includes('as=APIGroupDiscoveryList');
  const discovery = (body: unknown, v2: boolean) => {
    if (!ctx.user.groups.includes('system:authenticated')) {
      throw status(403, 'Forbidden', `forbidden: User "${ctx.user.username}" cannot get path "${path}"`, {});
    }
    send(ctx, 200, body, v2 ? 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' : 'application/json');
  };
  if (method === 'GET' && path === '/api') return discovery(aggregated ? cluster.registry.aggregated(true) : cluster.registry.apiVersions(serverAddress), aggregated);
  if (method === 'GET' && path === '/apis') return discovery(aggregated ? cluster.registry.aggregated(false) : cluster.registry.groupList(), aggregated);
  if (method === 'GET' && segs[0] === 'openapi' && segs[1] === 'v3') {
    if (segs.length === 2) return discovery(cluster.registry.openApiV3Index(), false);
    const doc = segs[2] === 'api' ? cluster.registry.openApiV3('', segs[3] ?? '') : cluster.registry.openApiV3(segs[3] ?? '', segs[4] ?? '');
    if (!doc) throw pageNotFound();
    return discovery(doc, false);
  }
  const gv = parseGroupVersion(segs);
  if (!gv) throw pageNotFound();
  if (gv.rest.length === 0) {
    if (method !== 'GET' || !cluster.registry.hasGroupVersion(gv.group, gv.version)) throw pageNotFound();
    return discovery(cluster.registry.resourceList(gv.group, gv.version), false);
  }
  let namespace = '';
  let rest = gv.rest;
  const namespaceSub = gv.group === '' && rest[0] === 'namespaces' && rest.length === 3 && ['status', 'finalize'].includes(rest[2]!);
  if (rest[0] === 'namespaces' && rest.length >= 3 && !namespaceSub) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  const [resource, name, subresource, ...extra] = rest;
  if (resource === undefined) throw pageNotFound();
  const q = ctx.url.searchParams;
  const verb = verbFor(method, name !== undefined, q);
  const attrs: Attributes = { verb, group: gv.group, resource, subresource, namespace: namespace || undefined, name };
  if (!cluster.authz.authorize(ctx.user, attrs).allowed) {
    const details: Obj = {};
    if (name) details.name = name;
    if (gv.group) details.group = gv.group;
    details.kind = resource;
    throw status(403, 'Forbidden', forbiddenMessage(ctx.user, attrs), details);
  }
  if (!cluster.registry.hasGroupVersion(gv.group, gv.version)) throw pageNotFound();
  const r = cluster.registry.lookup(gv.group, gv.version, resource);
  if (!r || extra.length) throw resourceNotFound();
  if (namespace && !r.namespaced) throw resourceNotFound();
  if (!namespace && r.namespaced && name !== undefined) throw resourceNotFound();
  const sub = subresource ? r.subresources.find((s) => s.name === subresource) : undefined;
  if (subresource && !sub) throw resourceNotFound();
  const allowedVerbs = sub ? sub.verbs : r.verbs;
  const effective = verb === 'watch' ? 'watch' : verb;
  if (!allowedVerbs.includes(effective) || (method === 'PUT' && name === undefined)) throw methodNotAllowed();
  const rr: ResourceRequest = { r, namespace, name: name ?? (r.resource === 'namespaces' && namespaceSub ? rest[1] : undefined), subresource, verb };
  await handle(cluster, ctx, rr);
}

async function handle(cluster: Cluster, ctx: Ctx, rr: ResourceRequest): Promise<void> {
  const { r, namespace, name, subresource, verb } = rr;
  const q = ctx.url.searchParams;
  if (subresource === 'log') return podLog(cluster, ctx, namespace, name!, send);
  if (r.group === 'events.k8s.io' && (verb === 'get' || verb === 'list')) return eventsView(cluster, ctx, rr);
  switch (verb) {
    case 'get': {
      const o = cluster.store.get(r, namespace, name!);
      if (!o) throw notFound(target(r, name));
      if (subresource === 'scale') return send(ctx, 200, scaleOf(o));
      if (wantsTable(ctx.req.headers.accept)) return send(ctx, 200, table(r, [o], String(meta(o).resourceVersion)));
      return send(ctx, 200, render(r, o));
    }
    case 'list':
      return list(cluster, ctx, r, namespace);
    case 'watch':
      return watch(cluster, ctx, r, namespace);
    case 'create':
      return create(cluster, ctx, rr);
    case 'update':
    case 'patch':
      return write(cluster, ctx, rr);
    case 'delete': {
      const raw = await readBody(ctx.req);
      const opts = raw.trim() ? (decode(raw, 'application/json').value as Obj) : {};
      const propagation = q.get('propagationPolicy') ?? (opts.propagationPolicy as string | undefined);
      const gone = cluster.delete(r, namespace, name!, { dryRun: isDryRun(q, opts), propagation });
      // these registries return the deleted object instead of a Status (recording 12 shows the Status form)
      if (r.group === '' && ['namespaces', 'pods', 'services'].includes(r.resource)) return send(ctx, 200, gone);
      return send(ctx, 200, success(target(r, name), String(meta(gone).uid)));
    }
    case 'deletecollection': {
      const match = selectorOf(q);
      const items = cluster.store.list(r, r.namespaced ? namespace : undefined).filter(match);
      const dryRun = isDryRun(q);
      for (const o of items) cluster.delete(r, namespace, String(meta(o).name), { dryRun });
      return send(ctx, 200, listBody(r, items, cluster.store.revision));
    }
  }
  throw methodNotAllowed();
}

function scaleOf(o: Obj): Obj {
  const m = meta(o);
  const spec = (o.spec ?? {}) as Obj;
  const st = (o.status ?? {}) as Obj;
  const sel = isObj(spec.selector) && isObj(spec.selector.matchLabels) ? spec.selector.matchLabels : {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: {
      replicas: st.replicas ?? 0,
      selector: Object.entries(sel)
        .map(([k, v]) => `${k}=${v}`)
        .join(','),
    },
  };
}

function selectorOf(q: URLSearchParams): Predicate {
  const l = labelSelector(q.get('labelSelector'));
  const f = fieldSelector(q.get('fieldSelector'));
  return (o) => l(o) && f(o);
}

function listBody(r: ResourceInfo, items: Obj[], rv: number, extraMeta: Obj = {}): Obj {
  const rendered = items.map((o) => {
    if (r.custom) return sortKeysDeep(o);
    const { kind: _k, apiVersion: _a, ...rest } = o;
    return rest;
  });
  const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
  const body = { kind: `${r.kind}List`, apiVersion, metadata: { resourceVersion: String(rv), ...extraMeta }, items: rendered };
  return r.custom ? (sortKeysDeep(body) as Obj) : body;
}

function list(cluster: Cluster, ctx: Ctx, r: ResourceInfo, namespace: string) {
  const q = ctx.url.searchParams;
  const hasSelector = !!(q.get('labelSelector') || q.get('fieldSelector'));
  const match = selectorOf(q);
  let all = cluster.store.list(r, r.namespaced && namespace ? namespace : undefined);
  const keyOf = (o: Obj) => (namespace || !r.namespaced ? String(meta(o).name) : `${meta(o).namespace}/${meta(o).name}`);
  let rv = cluster.store.revision;
  const token = q.get('continue');
  if (token) {
    let start: string;
    try {
      const decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv: number; start: string };
      start = decoded.start;
      rv = decoded.rv;
    } catch {
      throw status(400, 'BadRequest', 'continue key is not valid: illegal base64 data at input byte 0');
    }
    all = all.filter((o) => keyOf(o) >= start);
  }
  const matching = all.filter(match);
  const limit = Number(q.get('limit') ?? 0);
  if (wantsTable(ctx.req.headers.accept)) return send(ctx, 200, table(r, matching, String(rv)));
  if (limit > 0 && matching.length > limit) {
    const page = matching.slice(0, limit);
    const last = keyOf(page[page.length - 1]!);
    const next = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${last}\u0000` })).toString('base64url');
    const extra: Obj = { continue: next };
    if (!hasSelector) extra.remainingItemCount = matching.length - limit;
    return send(ctx, 200, listBody(r, page, rv, extra));
  }
  if (limit > 0 && hasSelector && matching.length === limit) {
    // with a selector the server cannot know whether more matches follow; it hands out a token anyway
    const last = keyOf(matching[matching.length - 1]!);
    const next = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start: `${last}\u0000` })).toString('base64url');
    return send(ctx, 200, listBody(r, matching, rv, { continue: next }));
  }
  send(ctx, 200, listBody(r, matching, rv));
}

function watch(cluster: Cluster, ctx: Ctx, r: ResourceInfo, namespace: string): void {
  const q = ctx.url.searchParams;
  const match = selectorOf(q);
  const inScope = (e: StoreEvent) => e.group === r.group && e.resource === r.resource && (!namespace || e.namespace === namespace);
  ctx.res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  // clients wait for the response headers before they consider the watch established
  ctx.res.flushHeaders();
  const emit = (type: string, object: Obj) => ctx.res.write(`${JSON.stringify({ type, object: render(r, object) })}\n`);
  const rvParam = q.get('resourceVersion');
  if (!rvParam || rvParam === '0') {
    for (const o of cluster.store.list(r, namespace || undefined)) if (match(o)) emit('ADDED', o);
  } else {
    const missed = cluster.store.since(Number(rvParam));
    if (!missed) {
      // The watch cache's answer to a compacted resourceVersion: a 200 whose only event is the 410.
      const gone = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${rvParam} (${cluster.store.revision})`, reason: 'Expired', code: 410 };
      ctx.res.end(`${JSON.stringify({ type: 'ERROR', object: gone })}\n`);
      return;
    }
    for (const e of missed) if (inScope(e) && match(e.object)) emit(e.type, e.object);
  }
  const served = { drop: () => ctx.res.destroy() };
  cluster.watches.add(served);
  const unsubscribe = cluster.store.subscribe((e) => {
    if (inScope(e) && match(e.object)) emit(e.type, e.object);
  });
  const timeout = Number(q.get('timeoutSeconds') ?? 0);
  const timer = timeout > 0 ? setTimeout(() => ctx.res.end(), timeout * 1000) : undefined;
  const stop = () => {
    unsubscribe();
    cluster.watches.delete(served);
    if (timer) clearTimeout(timer);
  };
  ctx.res.on('close', stop);
  ctx.res.on('finish', stop);
}

interface WriteBody {
  obj: Obj;
  duplicate?: string;
}

async function readObject(ctx: Ctx, allowed: string[]): Promise<WriteBody & { contentType: string }> {
  const contentType = (ctx.req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
  if (!allowed.includes(contentType)) throw status(415, 'UnsupportedMediaType', '415: Unsupported Media Type', {});
  const raw = await readBody(ctx.req);
  const d = decode(raw, contentType);
  // a JSON patch is a list of operations; every other body is one object
  if (contentType === 'application/json-patch+json' && Array.isArray(d.value)) return { obj: { operations: d.value }, contentType };
  if (!isObj(d.value)) throw badRequest(`Object 'Kind' is missing in '${raw.slice(0, 200)}'`);
  return { obj: d.value, duplicate: d.duplicate, contentType };
}

function checkIdentity(cluster: Cluster, rr: ResourceRequest, obj: Obj): void {
  const { r, namespace, name } = rr;
  const apiVersion = r.group ? `${r.group}/${r.version}` : r.version;
  if (obj.kind !== r.kind || (obj.apiVersion !== undefined && obj.apiVersion !== apiVersion)) {
    const [g, v] = String(obj.apiVersion ?? '').includes('/') ? String(obj.apiVersion).split('/') : ['', String(obj.apiVersion ?? '')];
    throw badRequest(`invalid object type: ${g}/${v}, Kind=${String(obj.kind ?? '')}`);
  }
  const m = isObj(obj.metadata) ? obj.metadata : {};
  if (name !== undefined && m.name !== undefined && m.name !== name) {
    throw badRequest(`the name of the object (${String(m.name)}) does not match the name on the URL (${name})`);
  }
  if (r.namespaced && m.namespace !== undefined && m.namespace !== '' && m.namespace !== namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  if (r.namespaced && !cluster.namespaceExists(namespace)) throw notFound({ group: '', resource: 'namespaces', kind: 'Namespace', name: namespace });
  cluster.checkNotTerminating(r, namespace, name ?? (typeof m.name === 'string' ? m.name : undefined));
}

const gvk = (r: ResourceInfo) => ({ group: r.group, version: r.version, kind: r.kind });

async function create(cluster: Cluster, ctx: Ctx, rr: ResourceRequest): Promise<void> {
  const { r, namespace, subresource } = rr;
  const q = ctx.url.searchParams;
  if (r.resource === 'serviceaccounts' && subresource === 'token') return tokenRequest(cluster, ctx, rr);
  if (['selfsubjectaccessreviews', 'selfsubjectreviews', 'selfsubjectrulesreviews'].includes(r.resource)) return review(cluster, ctx, r);
  const mode = fieldValidation(q);
  const { obj, duplicate } = await readObject(ctx, ['application/json', 'application/yaml']);
  const schema = cluster.schemaFor(r);
  ctx.warnings.push(...checkWriteFields(schema, obj, gvk(r), mode, duplicate, !!r.custom));
  if (r.custom) checkCustomTypes(schema, obj, gvk(r));
  checkIdentity(cluster, rr, obj);
  const created = cluster.create(r, namespace, prune(schema, obj) as Obj, { manager: managerFor(ctx), dryRun: isDryRun(q) });
  send(ctx, 201, render(r, created));
}

async function write(cluster: Cluster, ctx: Ctx, rr: ResourceRequest): Promise<void> {
  const { r, namespace, name, subresource, verb } = rr;
  const q = ctx.url.searchParams;
  const dryRun = isDryRun(q);
  const schema = cluster.schemaFor(r);
  const patchTypes = ['application/apply-patch+yaml', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json'];
  if (verb === 'patch') {
    const contentType = (ctx.req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (!patchTypes.includes(contentType) || (r.custom && contentType === 'application/strategic-merge-patch+json')) {
      throw status(415, 'UnsupportedMediaType', '415: Unsupported Media Type', {});
    }
    if (contentType === 'application/apply-patch+yaml') {
      const manager = q.get('fieldManager');
      if (!manager) {
        throw status(422, 'Invalid', 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch', {
          group: 'meta.k8s.io',
          kind: 'PatchOptions',
          causes: [{ reason: 'FieldValueRequired', message: 'Required value: is required for apply patch', field: 'fieldManager' }],
        });
      }
      const mode = fieldValidation(q);
      const { obj, duplicate } = await readObject(ctx, [contentType]);
      if (duplicate && mode === 'Strict') throw badRequest(`error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n  ${duplicate}`);
      if (duplicate && mode === 'Warn') ctx.warnings.push(duplicate);
      if (obj.kind === 'List') throw badRequest(`invalid object type: /v1, Kind=List`);
      checkApplyTypes(schema, obj, gvk(r), namespace, !!r.custom);
      checkIdentity(cluster, rr, obj);
      const applied = r.custom ? (prune(schema, obj) as Obj) : obj;
      const result = cluster.applyObject(r, namespace, name!, applied, { manager, force: q.get('force') === 'true', dryRun, subresource });
      return send(ctx, result.created ? 201 : 200, render(r, result.object));
    }
    const { obj: patch } = await readObject(ctx, [contentType]);
    const live = cluster.store.get(r, namespace, name!);
    if (!live) throw notFound(target(r, name));
    let next: unknown;
    if (contentType === 'application/json-patch+json') next = jsonPatch(live, patch.operations);
    else if (contentType === 'application/merge-patch+json') next = mergePatch(live, patch);
    else next = strategicMerge(schema, live, patch);
    const updated = cluster.update(r, namespace, name!, stripRv(next as Obj, patch), { manager: managerFor(ctx), dryRun, subresource });
    return send(ctx, 200, subresource === 'scale' ? scaleOf(updated) : render(r, updated));
  }
  const mode = fieldValidation(q);
  const { obj, duplicate } = await readObject(ctx, ['application/json', 'application/yaml']);
  ctx.warnings.push(...checkWriteFields(schema, obj, gvk(r), mode, duplicate, !!r.custom));
  if (r.custom) checkCustomTypes(schema, obj, gvk(r));
  checkIdentity(cluster, rr, obj);
  const updated = cluster.update(r, namespace, name!, prune(schema, obj) as Obj, { manager: managerFor(ctx), dryRun, subresource });
  send(ctx, 200, render(r, updated));
}

// A patch that does not mention metadata.resourceVersion must not trip the optimistic-concurrency check.
function stripRv(next: Obj, patch: unknown): Obj {
  const mentioned = isObj(patch) && isObj(patch.metadata) && patch.metadata.resourceVersion !== undefined;
  if (!mentioned && isObj(next.metadata)) delete next.metadata.resourceVersion;
  return next;
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return structuredClone(patch);
  const out: Obj = isObj(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

// Strategic merge patch for the common cases: maps merge, keyed lists (containers by name, ports, env...)
// merge item by item, `$patch: delete` removes an item, other lists are replaced.
function strategicMerge(schema: Schema | undefined, target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) {
    if (Array.isArray(patch) && schema?.t === 'list' && schema.type === 'map' && schema.keys?.length && Array.isArray(target)) {
      const key = schema.keys[0]!;
      const out = structuredClone(target) as unknown[];
      for (const item of patch) {
        if (!isObj(item)) continue;
        const i = out.findIndex((x) => isObj(x) && x[key] === item[key]);
        if (item.$patch === 'delete') {
          if (i >= 0) out.splice(i, 1);
        } else if (i >= 0) out[i] = strategicMerge(schema.items, out[i], item);
        else out.push(strategicMerge(schema.items, {}, item));
      }
      return out;
    }
    return structuredClone(patch);
  }
  const out: Obj = isObj(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null) delete out[k];
    else out[k] = strategicMerge(child(schema, k), out[k], v);
  }
  return out;
}

function jsonPatch(target: Obj, ops: unknown): Obj {
  if (!Array.isArray(ops)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  const doc = structuredClone(target) as unknown;
  const split = (p: string) => p.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const parentOf = (parts: string[]) => {
    let node: unknown = doc;
    for (const p of parts.slice(0, -1)) node = Array.isArray(node) ? node[Number(p)] : isObj(node) ? node[p] : undefined;
    if (node === undefined) throw status(422, 'Invalid', `the server rejected our request due to an error in our request`);
    return node as Obj | unknown[];
  };
  for (const op of ops as Obj[]) {
    const parts = split(String(op.path));
    const parent = parentOf(parts);
    const last = parts[parts.length - 1];
    if (op.op === 'test') continue;
    if (last === undefined) throw status(422, 'Invalid', `the server rejected our request due to an error in our request`);
    if (Array.isArray(parent)) {
      const i = last === '-' ? parent.length : Number(last);
      if (op.op === 'add') parent.splice(i, 0, structuredClone(op.value));
      else if (op.op === 'replace') parent[i] = structuredClone(op.value);
      else if (op.op === 'remove') parent.splice(i, 1);
    } else {
      if (op.op === 'add' || op.op === 'replace') parent[last] = structuredClone(op.value);
      else if (op.op === 'remove') delete parent[last];
    }
  }
  return doc as Obj;
}

async function tokenRequest(cluster: Cluster, ctx: Ctx, rr: ResourceRequest): Promise<void> {
  const { obj } = await readObject(ctx, ['application/json', 'application/yaml']);
  const sa = cluster.store.get(rr.r, rr.namespace, rr.name!);
  if (!sa) throw notFound(target(rr.r, rr.name));
  const spec = isObj(obj.spec) ? obj.spec : {};
  const expirationSeconds = Number(spec.expirationSeconds ?? 3600);
  const username = `system:serviceaccount:${rr.namespace}:${rr.name}`;
  const configured = cluster.identities.find((i) => i.user === username);
  const { token, expires } = cluster.authn.issueServiceAccountToken(rr.namespace, rr.name!, String(meta(sa).uid), expirationSeconds, configured);
  const t = now();
  send(ctx, 201, {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: {
      name: rr.name,
      namespace: rr.namespace,
      uid: meta(sa).uid,
      creationTimestamp: t,
      managedFields: [
        { manager: managerFor(ctx), operation: 'Update', apiVersion: 'authentication.k8s.io/v1', time: t, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:expirationSeconds': {} } }, subresource: 'token' },
      ],
    },
    spec: { audiences: spec.audiences ?? ['https://kubernetes.default.svc.cluster.local'], expirationSeconds, boundObjectRef: spec.boundObjectRef ?? null },
    status: { token, expirationTimestamp: expires.toISOString().replace(/\.\d{3}Z$/, 'Z') },
  });
}

async function review(cluster: Cluster, ctx: Ctx, r: ResourceInfo): Promise<void> {
  const { obj } = await readObject(ctx, ['application/json', 'application/yaml']);
  const user = ctx.user;
  const apiVersion = `${r.group}/${r.version}`;
  if (r.resource === 'selfsubjectreviews') {
    const userInfo: Obj = { username: user.username };
    if (user.uid) userInfo.uid = user.uid;
    userInfo.groups = user.groups;
    if (user.extra) userInfo.extra = user.extra;
    return send(ctx, 201, { kind: 'SelfSubjectReview', apiVersion, metadata: { creationTimestamp: now() }, status: { userInfo } });
  }
  const spec = isObj(obj.spec) ? obj.spec : {};
  if (r.resource === 'selfsubjectrulesreviews') {
    const ns = String(spec.namespace ?? '');
    return send(ctx, 201, {
      kind: 'SelfSubjectRulesReview',
      apiVersion,
      metadata: {},
      spec: {},
      status: { resourceRules: cluster.authz.rulesFor(user, ns), nonResourceRules: nonResourceRules, incomplete: false },
    });
  }
  const ra = isObj(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const echoed: Obj = {};
  const fields: Obj = {};
  let result: { allowed: boolean; reason?: string } = { allowed: false };
  if (ra) {
    for (const [k, v] of Object.entries(ra)) if (v !== '' && v !== undefined) echoed[k] = v;
    for (const k of Object.keys(echoed).sort()) fields[`f:${k}`] = {};
    result = cluster.authz.authorize(user, {
      verb: String(ra.verb ?? ''),
      group: String(ra.group ?? ''),
      resource: String(ra.resource ?? ''),
      subresource: ra.subresource ? String(ra.subresource) : undefined,
      namespace: ra.namespace ? String(ra.namespace) : undefined,
      name: ra.name ? String(ra.name) : undefined,
    });
  }
  const managedFields = [
    { manager: managerFor(ctx), operation: 'Update', apiVersion, time: now(), fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:resourceAttributes': { '.': {}, ...fields } } } },
  ];
  const st: Obj = { allowed: result.allowed };
  if (result.reason) st.reason = result.reason;
  send(ctx, 201, { kind: 'SelfSubjectAccessReview', apiVersion, metadata: { managedFields }, spec: ra ? { resourceAttributes: echoed } : spec, status: st });
}

// events.k8s.io/v1 is another view of the core v1 Events, with renamed fields.
function toEventsV1(e: Obj): Obj {
  const { kind: _k, apiVersion: _a, involvedObject, message, source, firstTimestamp, lastTimestamp, count, reportingComponent, reportingInstance, ...rest } = e;
  const out: Obj = { metadata: e.metadata, eventTime: rest.eventTime ?? null };
  if (reportingComponent) out.reportingController = reportingComponent;
  if (reportingInstance) out.reportingInstance = reportingInstance;
  out.reason = rest.reason;
  out.regarding = involvedObject;
  out.note = message;
  out.type = rest.type;
  out.deprecatedSource = source;
  out.deprecatedFirstTimestamp = firstTimestamp;
  out.deprecatedLastTimestamp = lastTimestamp;
  out.deprecatedCount = count;
  return out;
}

function eventsView(cluster: Cluster, ctx: Ctx, rr: ResourceRequest) {
  const core = cluster.info('', 'events');
  if (rr.verb === 'get') {
    const o = cluster.store.get(core, rr.namespace, rr.name!);
    if (!o) throw notFound(target(rr.r, rr.name));
    return send(ctx, 200, { kind: 'Event', apiVersion: 'events.k8s.io/v1', ...toEventsV1(o) });
  }
  const match = selectorOf(ctx.url.searchParams);
  const items = cluster.store.list(core, rr.namespace || undefined).filter(match).map(toEventsV1);
  send(ctx, 200, { kind: 'EventList', apiVersion: 'events.k8s.io/v1', metadata: { resourceVersion: String(cluster.store.revision) }, items });
}

export type Send = typeof send;
export type { Ctx };
