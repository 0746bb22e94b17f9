/**
 * Where a deploy can be reached: the hosts of its Ingresses and Gateway API HTTPRoutes, as URLs.
 * Pure: the Gateways an HTTPRoute attaches to are handed in.
 */
import type { KubeObject } from './manifests.ts';

const INGRESS = 'networking.k8s.io/Ingress';
const HTTP_ROUTE = 'gateway.networking.k8s.io/HTTPRoute';
const GATEWAY_GROUP = 'gateway.networking.k8s.io';

interface Placed {
  readonly object: KubeObject;
  /** Where it was applied. */
  readonly namespace: string | undefined;
}

interface ParentRef {
  readonly group?: string;
  readonly kind?: string;
  readonly name?: string;
  readonly namespace?: string;
  readonly sectionName?: string;
}

interface Listener {
  readonly name?: string;
  readonly hostname?: string;
  readonly protocol?: string;
}

function groupKind(o: KubeObject): string {
  const group = o.apiVersion.includes('/') ? o.apiVersion.slice(0, o.apiVersion.indexOf('/')) : '';
  return `${group}/${o.kind}`;
}

/** `namespace/name` of a Gateway. */
export function gatewayKey(namespace: string | undefined, name: string | undefined): string {
  return `${namespace ?? ''}/${name ?? ''}`;
}

/** The Gateways the HTTPRoutes among the objects attach to, by gatewayKey. */
export function gatewaysNeeded(objects: readonly Placed[]): Map<string, { namespace: string; name: string }> {
  const out = new Map<string, { namespace: string; name: string }>();
  for (const { object, namespace } of objects) {
    if (groupKind(object) !== HTTP_ROUTE) continue;
    for (const ref of parentRefs(object)) {
      const ns = ref.namespace ?? namespace ?? '';
      if (ref.name && isGatewayRef(ref)) out.set(gatewayKey(ns, ref.name), { namespace: ns, name: ref.name });
    }
  }
  return out;
}

/**
 * The URLs of the objects' hosts, each once, in the order applied. An Ingress host is `https` when
 * the Ingress has `tls` for it; an HTTPRoute hostname when a Gateway it attaches to has an HTTPS
 * listener for it. Wildcard hosts are no address and are left out.
 */
export function reachableUrls(objects: readonly Placed[], gateways: ReadonlyMap<string, KubeObject>): string[] {
  const urls = new Set<string>();
  const add = (host: unknown, https: boolean) => {
    if (typeof host === 'string' && host !== '' && !host.includes('*')) urls.add(`${https ? 'https' : 'http'}://${host}`);
  };
  for (const { object, namespace } of objects) {
    const spec = (object.spec ?? {}) as Record<string, unknown>;
    const kind = groupKind(object);
    if (kind === INGRESS) {
      const tlsHosts = new Set(arrayOf<{ hosts?: unknown }>(spec.tls).flatMap((t) => arrayOf<string>(t.hosts)));
      for (const rule of arrayOf<{ host?: unknown }>(spec.rules)) add(rule.host, tlsHosts.has(rule.host as string));
    } else if (kind === HTTP_ROUTE) {
      const listeners = parentRefs(object).flatMap((ref) => {
        const gw = isGatewayRef(ref) ? gateways.get(gatewayKey(ref.namespace ?? namespace, ref.name)) : undefined;
        const all = arrayOf<Listener>((gw?.spec as { listeners?: unknown } | undefined)?.listeners);
        return ref.sectionName ? all.filter((l) => l.name === ref.sectionName) : all;
      });
      for (const host of arrayOf<string>(spec.hostnames)) {
        add(host, listeners.some((l) => l.protocol === 'HTTPS' && hostMatches(l.hostname, host)));
      }
    }
  }
  return [...urls];
}

/** A listener without a hostname takes every host; `*.example.com` takes any name below it. */
function hostMatches(pattern: string | undefined, host: string): boolean {
  if (!pattern) return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1)) && host.length > pattern.length - 1;
  return pattern === host;
}

function parentRefs(route: KubeObject): ParentRef[] {
  return arrayOf<ParentRef>((route.spec as { parentRefs?: unknown } | undefined)?.parentRefs);
}

function isGatewayRef(ref: ParentRef): boolean {
  return (ref.kind ?? 'Gateway') === 'Gateway' && (ref.group ?? GATEWAY_GROUP) === GATEWAY_GROUP;
}

function arrayOf<T>(v: unknown): T[] {
  return Array.isArray(v) ? (v as T[]) : [];
}
