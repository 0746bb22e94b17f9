import { gvkOf } from './gvk.ts';
import type { Resource, SortOptions } from './types.ts';

// kustomize's legacy order: what others depend on first, webhooks that could reject the rest last.
const ORDER_FIRST = [
  'Namespace',
  'ResourceQuota',
  'StorageClass',
  'CustomResourceDefinition',
  'ServiceAccount',
  'PodSecurityPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ConfigMap',
  'Secret',
  'Endpoints',
  'Service',
  'LimitRange',
  'PriorityClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];
const ORDER_LAST = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

/** The build's output order: kustomize's legacy sort unless `sortOptions` asks for `fifo`. */
export function sortResources(resources: readonly Resource[], options: SortOptions | undefined): Resource[] {
  if (options?.order === 'fifo') return [...resources];
  const first = options?.legacySortOptions?.orderFirst ?? ORDER_FIRST;
  const last = options?.legacySortOptions?.orderLast ?? ORDER_LAST;
  const rank = (kind: string) => {
    const f = first.indexOf(kind);
    if (f >= 0) return f - first.length;
    const l = last.indexOf(kind);
    return l >= 0 ? l + 1 : 0;
  };
  const keyed = resources.map((r) => ({ r, rank: rank(r.object.kind), gvk: gvkString(r), id: idString(r) }));
  keyed.sort((a, b) => a.rank - b.rank || compare(a.gvk, b.gvk) || compare(a.id, b.id));
  return keyed.map((k) => k.r);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function gvkString(r: Resource): string {
  const { group, version, kind } = gvkOf(r.object.apiVersion, r.object.kind);
  return [group || '~G', version || '~V', kind || '~K'].join('_');
}

function idString(r: Resource): string {
  return `${gvkString(r)}|${r.object.metadata.namespace || '~X'}|${r.object.metadata.name || '~N'}`;
}
