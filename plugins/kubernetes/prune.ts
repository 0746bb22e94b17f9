/**
 * Deletes objects that carry the prune label, are of a kind this apply applied, live in a namespace
 * this apply applied to (never any other), and are not in this apply. Namespaces and CRDs are never
 * pruned: deleting one deletes everything in it.
 */
import type { Logger } from '../../shared/log.ts';
import { type Failure, errorFor, explainFailure, failureError } from './explain.ts';
import { objectPath } from './api-path.ts';
import { type KubeClient, KubeError } from './kube.ts';
import { mapPool } from './map-pool.ts';
import { type Planned, labelOf, objectKey } from './plan.ts';

interface PruneOptions {
  readonly selector: string;
  readonly dryRun: boolean;
  readonly concurrency: number;
  readonly log: Logger;
}

interface Listed {
  readonly metadata: { readonly name: string; readonly namespace?: string };
}

const NEVER = new Set(['v1/Namespace', 'apiextensions.k8s.io/CustomResourceDefinition']);

/** The (kind, namespace) lists to search. */
function pruneScopes(applied: readonly Planned[]): Array<{ apiVersion: string; kind: string; resource: string; group: string; namespace: string | undefined }> {
  const out = new Map<string, { apiVersion: string; kind: string; resource: string; group: string; namespace: string | undefined }>();
  for (const p of applied) {
    const { apiVersion, kind } = p.object;
    if (NEVER.has(`${p.group || 'v1'}/${kind}`)) continue;
    out.set(`${apiVersion}/${kind}/${p.namespace ?? ''}`, { apiVersion, kind, resource: p.resource, group: p.group, namespace: p.namespace });
  }
  return [...out.values()];
}

export async function prune(kube: KubeClient, applied: readonly Planned[], o: PruneOptions): Promise<number> {
  const keep = new Set(applied.map((p) => objectKey(p.group, p.object.kind, p.namespace, p.object.metadata.name!)));
  const scopes = pruneScopes(applied);
  const found = await mapPool(scopes, o.concurrency, async (s) => {
    const items: Listed[] = [];
    let token: string | undefined;
    do {
      try {
        const { body } = await kube.call<{ items: Listed[]; metadata?: { continue?: string } }>('GET', objectPath(s.apiVersion, s.resource, s.namespace), {
          query: { labelSelector: o.selector, limit: '500', continue: token },
        });
        items.push(...body.items);
        token = body.metadata?.continue || undefined;
      } catch (err) {
        const what = `${s.resource}${s.group ? `.${s.group}` : ''}${s.namespace ? ` in namespace ${s.namespace}` : ''}`;
        throw errorFor(err, { action: 'list (for prune)', what }, kube.connection);
      }
    } while (token);
    return items
      .filter((i) => !keep.has(objectKey(s.group, s.kind, s.namespace, i.metadata.name)))
      .map((i) => ({ ...s, name: i.metadata.name, label: labelOf(s.kind, s.group, i.metadata.name) }));
  });
  const doomed = found.flat();
  const failures = await mapPool(doomed, o.concurrency, async (d): Promise<Failure | undefined> => {
    try {
      await kube.call('DELETE', objectPath(d.apiVersion, d.resource, d.namespace, d.name), {
        query: { propagationPolicy: 'Background', dryRun: o.dryRun ? 'All' : undefined },
      });
      o.log.info(`${d.label}${d.namespace ? ` (namespace ${d.namespace})` : ''} pruned${o.dryRun ? ' (dry run)' : ''}`);
      return undefined;
    } catch (err) {
      if (err instanceof KubeError && err.status.code === 404) return undefined;
      return explainFailure(err, { action: 'delete (prune)', what: d.label }, kube.connection);
    }
  });
  const failed = failures.filter((f): f is Failure => f !== undefined);
  if (failed.length > 0) throw failureError(failed, 'objects could not be pruned');
  return doomed.length;
}
