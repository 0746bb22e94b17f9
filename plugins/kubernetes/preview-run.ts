/**
 * The preview namespace's effects: checking it is this branch's before deploying into it, deleting
 * it (teardown), and deleting the repository's expired ones (cleanup).
 */
import { PluginError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/log.ts';
import { sleep } from '../../shared/stop.ts';
import { errorFor, explainFailure, failureError, type Failure } from './explain.ts';
import { type KubeClient, KubeError } from './kube.ts';
import type { KubeObject } from './manifests.ts';
import { mapPool } from './map-pool.ts';
import { type Preview, expiredPreviews, notOurs, repoSelector } from './preview.ts';

const NAMESPACES = '/api/v1/namespaces';
const PROGRESS_MS = 10_000;

interface NamespaceObject extends KubeObject {
  readonly metadata: KubeObject['metadata'] & { readonly deletionTimestamp?: string };
}

/** The namespace as it is, undefined when there is none. */
async function readNamespace(kube: KubeClient, name: string): Promise<NamespaceObject | undefined> {
  try {
    return (await kube.call<NamespaceObject>('GET', `${NAMESPACES}/${name}`)).body;
  } catch (err) {
    if (err instanceof KubeError && err.status.code === 404) return undefined;
    throw errorFor(err, { action: 'read', what: `namespace ${name}` }, kube.connection);
  }
}

/**
 * Before a deploy: the namespace is new, or this branch's preview. Another repository's, a branch
 * whose name slugs alike, or a namespace that is no preview is never taken over; one being deleted
 * cannot take new objects until it is gone.
 */
export async function checkPreviewNamespace(kube: KubeClient, p: Preview): Promise<'new' | 'existing'> {
  const live = await readNamespace(kube, p.namespace);
  if (!live) return 'new';
  const problem = notOurs(live.metadata, p);
  if (problem) throw new PluginError(`settings.preview: ${problem}`, { hint: 'Set preview_prefix to keep the previews apart, or remove the namespace.' });
  if (live.metadata.deletionTimestamp) {
    throw new PluginError(`namespace ${p.namespace} is being deleted (a teardown or cleanup); deploy again once it is gone`);
  }
  return 'existing';
}

interface TeardownOptions {
  readonly dryRun: boolean;
  /** Wait until the namespace and everything in it are gone. */
  readonly wait: boolean;
  readonly pollMs: number;
  readonly signal: AbortSignal;
  readonly log: Logger;
}

/** Deletes the branch's preview namespace, and with it everything in it. */
export async function teardown(kube: KubeClient, p: Preview, o: TeardownOptions): Promise<void> {
  const live = await readNamespace(kube, p.namespace);
  if (!live) {
    o.log.info(`namespace ${p.namespace} does not exist: nothing to tear down`);
    return;
  }
  const problem = notOurs(live.metadata, p);
  if (problem) throw new PluginError(`action teardown: ${problem}; it is left alone`);
  if (!live.metadata.deletionTimestamp) {
    await deleteNamespace(kube, p.namespace, o.dryRun).catch((err) => {
      throw errorFor(err, { action: 'delete', what: `namespace ${p.namespace}` }, kube.connection);
    });
  }
  if (o.dryRun) {
    o.log.info(`namespace/${p.namespace} deleted (dry run)`);
    return;
  }
  o.log.info(`namespace/${p.namespace} ${live.metadata.deletionTimestamp ? 'was already' : 'is being'} deleted, with everything in it`);
  if (!o.wait) return;
  // A real namespace takes seconds to minutes to empty: a line now and then shows the step is not stuck.
  const start = Date.now();
  let said = 0;
  while (await readNamespace(kube, p.namespace)) {
    const waited = Math.floor((Date.now() - start) / PROGRESS_MS);
    if (waited > said) {
      said = waited;
      o.log.info(`namespace/${p.namespace} still terminating (${(waited * PROGRESS_MS) / 1000} s)`);
    }
    await sleep(o.pollMs, o.signal);
  }
  o.log.info(`namespace/${p.namespace} is gone`);
}

interface CleanupOptions {
  readonly dryRun: boolean;
  /** The preview being deployed, never expired: its expiry is being pushed forward. */
  readonly keep: string | undefined;
  readonly now: Date;
  readonly concurrency: number;
  readonly log: Logger;
}

/** Deletes the repository's preview namespaces whose expiry has passed, each named in the log. */
export async function cleanupPreviews(kube: KubeClient, repo: string, o: CleanupOptions): Promise<void> {
  const items: NamespaceObject[] = [];
  let token: string | undefined;
  do {
    try {
      const { body } = await kube.call<{ items: NamespaceObject[]; metadata?: { continue?: string } }>('GET', NAMESPACES, {
        query: { labelSelector: repoSelector(repo), limit: '500', continue: token },
      });
      items.push(...body.items);
      token = body.metadata?.continue || undefined;
    } catch (err) {
      throw errorFor(err, { action: 'list', what: `the preview namespaces of ${repo}` }, kube.connection);
    }
  } while (token);
  const expired = expiredPreviews(items, repo, o.now, o.keep);
  const suffix = o.dryRun ? ' (dry run)' : '';
  if (expired.length === 0) {
    o.log.info(`preview cleanup: no preview namespace of ${repo} has expired (${items.length} found)`);
    return;
  }
  o.log.info(`preview cleanup: ${expired.length} of the ${items.length} preview namespaces of ${repo} expired${suffix}`);
  const failures = await mapPool(expired, o.concurrency, async (e): Promise<Failure | undefined> => {
    try {
      await deleteNamespace(kube, e.name, o.dryRun);
    } catch (err) {
      // Gone or already terminating since the list: what cleanup wanted.
      if (err instanceof KubeError && (err.status.code === 404 || err.status.code === 409)) return undefined;
      return explainFailure(err, { action: 'delete', what: `namespace ${e.name}` }, kube.connection);
    }
    o.log.info(`namespace/${e.name} deleted${suffix}: ${e.branch || 'a preview'}, expired ${e.expiredAt.toISOString()}`);
    return undefined;
  });
  const failed = failures.filter((f): f is Failure => f !== undefined);
  if (failed.length > 0) throw failureError(failed, 'expired preview namespaces could not be deleted');
}

function deleteNamespace(kube: KubeClient, name: string, dryRun: boolean) {
  return kube.call('DELETE', `${NAMESPACES}/${name}`, { query: { dryRun: dryRun ? 'All' : undefined } });
}
