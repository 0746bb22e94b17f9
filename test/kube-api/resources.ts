import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

// The resource table is the aggregated (apidiscovery.k8s.io/v2) discovery recorded from kube-apiserver 1.36
// (fixtures 01-discovery.json), so names, verbs, scopes and short names are the real ones for every built-in group.
interface V2Resource {
  resource: string;
  responseKind: { group: string; version: string; kind: string };
  scope: 'Namespaced' | 'Cluster';
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: Array<{ subresource: string; responseKind: { group: string; version: string; kind: string }; verbs: string[] }>;
}
interface V2Group {
  metadata: { name?: string };
  versions: Array<{ version: string; resources: V2Resource[]; freshness: string }>;
}
interface DiscoveryData {
  version: Record<string, string>;
  core: { items: V2Group[] };
  groups: { items: V2Group[] };
}

export interface ResourceInfo {
  group: string;
  version: string;
  resource: string;
  kind: string;
  singular: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources: Array<{ name: string; kind: string; group?: string; version?: string; verbs: string[] }>;
  /** set for custom resources: they are served as unstructured JSON */
  custom?: boolean;
}

const data = JSON.parse(readFileSync(new URL('./discovery.json', import.meta.url), 'utf8')) as DiscoveryData;
export const versionInfo = data.version;

function fromV2(group: string, version: string, r: V2Resource): ResourceInfo {
  return {
    group,
    version,
    resource: r.resource,
    kind: r.responseKind.kind,
    singular: r.singularResource,
    namespaced: r.scope === 'Namespaced',
    verbs: r.verbs,
    shortNames: r.shortNames,
    categories: r.categories,
    subresources: (r.subresources ?? []).map((s) => ({
      name: s.subresource,
      kind: s.responseKind.kind,
      group: s.responseKind.group || undefined,
      version: s.responseKind.version || undefined,
      verbs: s.verbs,
    })),
  };
}

function toV2(r: ResourceInfo): V2Resource {
  const out: V2Resource = {
    resource: r.resource,
    responseKind: { group: '', version: '', kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
  };
  if (r.shortNames?.length) out.shortNames = r.shortNames;
  if (r.categories?.length) out.categories = r.categories;
  if (r.subresources.length) {
    out.subresources = r.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: s.group ?? '', version: s.version ?? '', kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return out;
}

// Kinds stored in etcd under another version than the one served (the hash names the storage version).
const storageVersions: Record<string, string> = { 'apiextensions.k8s.io/CustomResourceDefinition': 'v1beta1' };

// Same algorithm as apiserver's discovery.StorageVersionHash; it reproduces the recorded hashes.
function storageVersionHash(r: ResourceInfo): string {
  const version = storageVersions[`${r.group}/${r.kind}`] ?? r.version;
  return createHash('sha256').update(`${r.group}/${version}/${r.kind}`).digest().subarray(0, 8).toString('base64');
}

interface GroupEntry {
  name: string;
  versions: Array<{ version: string; resources: ResourceInfo[] }>;
}

export class Registry {
  private readonly groups: GroupEntry[] = [];

  constructor() {
    for (const v of data.core.items[0]!.versions) {
      this.addGroupVersion('', v.version, v.resources.map((r) => fromV2('', v.version, r)));
    }
    for (const g of data.groups.items) {
      const name = g.metadata.name ?? '';
      for (const v of g.versions) this.addGroupVersion(name, v.version, v.resources.map((r) => fromV2(name, v.version, r)));
    }
  }

  private addGroupVersion(group: string, version: string, resources: ResourceInfo[]): void {
    let entry = this.groups.find((g) => g.name === group);
    if (!entry) {
      entry = { name: group, versions: [] };
      this.groups.push(entry);
    }
    const existing = entry.versions.find((v) => v.version === version);
    if (existing) existing.resources.push(...resources);
    else entry.versions.push({ version, resources });
  }

  hasGroupVersion(group: string, version: string): boolean {
    return !!this.groups.find((g) => g.name === group)?.versions.some((v) => v.version === version);
  }

  lookup(group: string, version: string, resource: string): ResourceInfo | undefined {
    return this.groups
      .find((g) => g.name === group)
      ?.versions.find((v) => v.version === version)
      ?.resources.find((r) => r.resource === resource);
  }

  byKind(group: string, kind: string): ResourceInfo | undefined {
    for (const v of this.groups.find((g) => g.name === group)?.versions ?? []) {
      const r = v.resources.find((x) => x.kind === kind);
      if (r) return r;
    }
    return undefined;
  }

  all(): ResourceInfo[] {
    return this.groups.flatMap((g) => g.versions.flatMap((v) => v.resources));
  }

  addCustom(r: ResourceInfo): void {
    this.removeCustom(r.group, r.resource);
    this.addGroupVersion(r.group, r.version, [r]);
  }

  removeCustom(group: string, resource: string): void {
    const g = this.groups.find((x) => x.name === group);
    if (!g) return;
    for (const v of g.versions) v.resources = v.resources.filter((r) => !(r.custom && r.resource === resource));
    g.versions = g.versions.filter((v) => v.resources.length > 0);
    if (g.versions.length === 0) this.groups.splice(this.groups.indexOf(g), 1);
  }

  apiVersions(serverAddress: string): unknown {
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
  }

  groupList(): unknown {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: this.groups
        .filter((g) => g.name !== '')
        .map((g) => {
          const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v.version}`, version: v.version }));
          return { name: g.name, versions, preferredVersion: versions[0] };
        }),
    };
  }

  resourceList(group: string, version: string): unknown {
    const resources = this.groups.find((g) => g.name === group)?.versions.find((v) => v.version === version)?.resources ?? [];
    const rows: Array<Record<string, unknown>> = [];
    for (const r of resources) {
      const row: Record<string, unknown> = { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
      if (r.shortNames?.length) row.shortNames = r.shortNames;
      if (r.categories?.length) row.categories = r.categories;
      // Only persisted resources carry a storage hash; in the recordings those are exactly the watchable ones.
      if (r.verbs.includes('watch')) row.storageVersionHash = storageVersionHash(r);
      rows.push(row);
      for (const s of r.subresources) {
        const sub: Record<string, unknown> = { name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced };
        if (s.group !== undefined) {
          sub.group = s.group;
          sub.version = s.version;
        }
        sub.kind = s.kind;
        sub.verbs = s.verbs;
        rows.push(sub);
      }
    }
    rows.sort((a, b) => ((a.name as string) < (b.name as string) ? -1 : 1));
    // the legacy core document has no apiVersion (recording 01)
    if (!group) return { kind: 'APIResourceList', groupVersion: 'v1', resources: rows };
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: `${group}/${version}`, resources: rows };
  }

  aggregated(core: boolean): unknown {
    const groups = this.groups.filter((g) => (g.name === '') === core);
    return {
      kind: 'APIGroupDiscoveryList',
      apiVersion: 'apidiscovery.k8s.io/v2',
      metadata: {},
      items: groups.map((g) => ({
        metadata: g.name ? { name: g.name } : {},
        versions: g.versions.map((v) => ({ version: v.version, resources: v.resources.map(toV2), freshness: 'Current' })),
      })),
    };
  }

  /**
   * A minimal OpenAPI v3 index and per-group-version documents: one PATCH operation per resource, tagged with
   * its kind and listing the query parameters. kubectl reads exactly this to decide that it may leave field
   * validation to the server (fieldValidation) instead of downloading schemas.
   */
  openApiV3Index(): unknown {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const g of this.groups) {
      for (const v of g.versions) {
        const key = g.name ? `apis/${g.name}/${v.version}` : `api/${v.version}`;
        const hash = createHash('sha256').update(JSON.stringify(v.resources.map((r) => r.resource))).digest('hex').slice(0, 16).toUpperCase();
        paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
      }
    }
    return { paths };
  }

  openApiV3(group: string, version: string): unknown {
    const resources = this.groups.find((g) => g.name === group)?.versions.find((v) => v.version === version)?.resources;
    if (!resources) return undefined;
    const prefix = group ? `/apis/${group}/${version}` : `/api/${version}`;
    const parameters = ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({ name, in: 'query', schema: { type: 'string', uniqueItems: true } }));
    const paths: Record<string, unknown> = {};
    for (const r of resources) {
      if (!r.verbs.includes('patch')) continue;
      const path = `${prefix}${r.namespaced ? '/namespaces/{namespace}' : ''}/${r.resource}/{name}`;
      paths[path] = {
        patch: {
          operationId: `patch${r.kind}`,
          parameters,
          responses: { '200': { description: 'OK' } },
          'x-kubernetes-action': 'patch',
          'x-kubernetes-group-version-kind': { group, version, kind: r.kind },
        },
      };
    }
    return { openapi: '3.0.0', info: { title: 'Kubernetes', version: versionInfo.gitVersion }, paths };
  }
}
