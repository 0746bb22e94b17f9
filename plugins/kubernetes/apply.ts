/**
 * Server-side apply of a plan: every object is first applied with dryRun=All; only when all pass
 * is anything written, and only what the dry run shows would change. Objects that need a Namespace
 * or CRD of this same apply cannot be dry-run before those exist, so they are validated right
 * after those are applied.
 */
import { PluginError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/log.ts';
import { type Stop, isStop } from '../../shared/stop.ts';
import { renderDiff } from './diff.ts';
import { type Failure, errorFor, explainFailure, failureError } from './explain.ts';
import { KubeError, type KubeClient, isUnservedGroup, missingNamespace } from './kube.ts';
import type { KubeObject } from './manifests.ts';
import { mapPool } from './map-pool.ts';
import { unchangedByApply } from './no-op.ts';
import { PHASES, type Plan, type Planned } from './plan.ts';

type Action = 'created' | 'configured' | 'unchanged';

interface Applied {
  readonly planned: Planned;
  readonly action: Action;
  /** The object as the server has it after the apply. */
  readonly result: KubeObject;
}

interface ApplyOptions {
  readonly fieldManager: string;
  readonly force: boolean;
  readonly dryRun: boolean;
  readonly diff: boolean;
  readonly concurrency: number;
  readonly log: Logger;
}

interface Checked {
  readonly planned: Planned;
  /** The would-be object; undefined when the check had to wait for a Namespace or CRD of this apply. */
  readonly preview?: KubeObject;
  readonly created?: boolean;
  /** The dry run proves the apply would change nothing: it is not sent. */
  readonly unchanged?: boolean;
  readonly deferred?: string;
  readonly failure?: Failure;
}

const CRD_ESTABLISHED_TIMEOUT_MS = 60_000;

export async function applyPlan(kube: KubeClient, plan: Plan, o: ApplyOptions): Promise<Applied[]> {
  const checked = await checkAll(kube, plan.objects, o);
  const failures = checked.flatMap((c) => (c.failure ? [c.failure] : []));
  if (failures.length > 0) throw failureError(failures, 'objects failed the server-side dry run; nothing was changed');
  const unchanged = o.diff || o.dryRun ? await compareWithLive(kube, checked, o) : new Set<Planned>();

  if (o.dryRun) {
    for (const c of checked) {
      const action = c.created ? 'created' : unchanged.has(c.planned) ? 'unchanged' : 'configured';
      o.log.info(c.deferred ? `${c.planned.label} not validated: ${c.deferred} (dry run)` : `${c.planned.label} ${action} (dry run)`);
    }
    return [];
  }

  const before = new Map(checked.map((c) => [c.planned, c]));
  const applied: Applied[] = [];
  for (const phase of PHASES) {
    let batch = checked.filter((c) => c.planned.phase === phase);
    // Namespaces and CRDs exist now: check what depended on them before writing any of it.
    const late = batch.filter((c) => c.deferred);
    if (late.length > 0) {
      const rechecked = await dryRun(kube, late.map((c) => c.planned), o);
      const lateFailures = rechecked.flatMap((c) => (c.failure ? [c.failure] : []));
      if (lateFailures.length > 0) {
        throw failureError(lateFailures, 'objects failed the server-side dry run after their Namespace or CRD was applied; only Namespaces and CRDs were changed');
      }
      for (const c of rechecked) before.set(c.planned, c);
      batch = batch.map((c) => before.get(c.planned)!);
    }
    const results = await mapPool(batch, o.concurrency, async (c): Promise<Applied | Failure | { stopped: Stop }> => {
      if (c.unchanged && c.preview) return { planned: c.planned, action: 'unchanged', result: c.preview };
      try {
        const { status, body, warnings } = await send(kube, c.planned, o, false);
        for (const w of warnings) o.log.warn(`${c.planned.label}: ${w}`);
        const unchanged = status === 200 && c.preview?.metadata.resourceVersion === body.metadata.resourceVersion && !c.created;
        return { planned: c.planned, action: status === 201 ? 'created' : unchanged ? 'unchanged' : 'configured', result: body };
      } catch (err) {
        // A cancel or the timeout: what the rest of the batch applied is still to be told.
        if (isStop(err)) return { stopped: err };
        return explainFailure(err, { action: 'apply', object: c.planned }, kube.connection);
      }
    });
    const done = results.filter((r): r is Applied => 'planned' in r);
    for (const a of done) o.log.info(`${a.planned.label} ${a.action}`);
    applied.push(...done);
    const stopped = results.find((r) => 'stopped' in r);
    if (stopped) {
      o.log.info(`${applied.length} of ${plan.objects.length} objects applied before the step stopped`);
      throw stopped.stopped;
    }
    const failed = results.filter((r): r is Failure => 'message' in r);
    if (failed.length > 0) throw failureError(failed, 'objects could not be applied');
    if (phase === 'crd') await Promise.all(done.map((a) => waitEstablished(kube, a)));
  }
  return applied;
}

/**
 * Namespaces and CRDs first: a dry run that would create one tells that what depends on it cannot
 * be checked yet, without sending those objects only to be told so.
 */
async function checkAll(kube: KubeClient, objects: readonly Planned[], o: ApplyOptions): Promise<Checked[]> {
  const early = objects.filter((p) => p.phase === 'namespace' || p.phase === 'crd');
  const results = new Map((await dryRun(kube, early, o)).map((c) => [c.planned, c]));
  const isNew = (phase: Planned['phase'], name: string | undefined) =>
    early.some((p) => p.phase === phase && p.object.metadata.name === name && results.get(p)?.created);
  const later: Planned[] = [];
  for (const p of objects) {
    if (results.has(p)) continue;
    if (isNew('namespace', p.needs.namespace)) results.set(p, deferred(p, 'namespace'));
    else if (isNew('crd', p.needs.crd)) results.set(p, deferred(p, 'crd'));
    else later.push(p);
  }
  for (const c of await dryRun(kube, later, o)) results.set(c.planned, c);
  return objects.map((p) => results.get(p)!);
}

async function dryRun(kube: KubeClient, objects: readonly Planned[], o: ApplyOptions): Promise<Checked[]> {
  return mapPool(objects, o.concurrency, async (planned): Promise<Checked> => {
    try {
      const sentAt = Date.now();
      const { status, body, warnings, date } = await send(kube, planned, o, true);
      const unchanged = unchangedByApply({ status, object: body, date, sentAt, receivedAt: Date.now() }, o.fieldManager);
      // A real apply repeats them; a dry run (or an apply not sent) is the only chance to show them.
      if (o.dryRun || unchanged) for (const w of warnings) o.log.warn(`${planned.label}: ${w}`);
      return { planned, preview: body, created: status === 201, unchanged };
    } catch (err) {
      // The Namespace or CRD existed but is being replaced, or is still terminating.
      if (planned.needs.namespace && missingNamespace(err) === planned.needs.namespace) return deferred(planned, 'namespace');
      if (planned.needs.crd && (isUnservedGroup(err) || (err instanceof KubeError && err.status.code === 404))) return deferred(planned, 'crd');
      return { planned, failure: explainFailure(err, { action: 'dry-run apply', object: planned }, kube.connection) };
    }
  });
}

function deferred(planned: Planned, on: 'namespace' | 'crd'): Checked {
  const what = on === 'namespace' ? `namespace ${planned.needs.namespace}` : `its CustomResourceDefinition ${planned.needs.crd}`;
  return { planned, deferred: `${what} is created by this apply` };
}

function send(kube: KubeClient, p: Planned, o: ApplyOptions, dryRun: boolean) {
  return kube.call<KubeObject>('PATCH', p.path, {
    query: { fieldManager: o.fieldManager, force: String(o.force), fieldValidation: 'Strict', dryRun: dryRun ? 'All' : undefined },
    // JSON is YAML: the object goes as written, unknown fields included, for the server to judge.
    body: p.object,
    contentType: 'application/apply-patch+yaml',
  });
}

/**
 * Dry-run results against the live objects: prints the diff when asked, and returns the objects
 * that would not change (a dry run's status code cannot tell those apart; the diff can).
 */
async function compareWithLive(kube: KubeClient, checked: readonly Checked[], o: ApplyOptions): Promise<Set<Planned>> {
  const lives = await mapPool(checked, o.concurrency, async (c) => {
    if (c.created || !c.preview) return undefined;
    try {
      return (await kube.call<KubeObject>('GET', c.planned.path)).body;
    } catch (err) {
      if (err instanceof KubeError && err.status.code === 404) return undefined;
      throw errorFor(err, { action: 'read', object: c.planned }, kube.connection);
    }
  });
  const unchanged = new Set<Planned>();
  for (const [i, c] of checked.entries()) {
    if (c.deferred && o.diff) o.log.info(renderDiff(c.planned.label, undefined, c.planned.object));
    if (!c.preview) continue;
    // A new object reads best as written; the server's defaults would bury it.
    const text = renderDiff(c.planned.label, lives[i], lives[i] ? c.preview : c.planned.object);
    if (!text) unchanged.add(c.planned);
    else if (o.diff) o.log.info(text);
  }
  return unchanged;
}

/** Custom resources of a CRD are served only once it is Established (about 0.1 s after its apply). */
async function waitEstablished(kube: KubeClient, a: Applied): Promise<void> {
  const deadline = Date.now() + CRD_ESTABLISHED_TIMEOUT_MS;
  let crd = a.result;
  for (;;) {
    const conditions = ((crd.status as { conditions?: Array<{ type: string; status: string; message?: string }> } | undefined)?.conditions ?? []);
    if (conditions.some((c) => c.type === 'Established' && c.status === 'True')) return;
    const bad = conditions.find((c) => c.type === 'NamesAccepted' && c.status === 'False');
    if (bad) throw new PluginError(`${a.planned.label}: the server did not accept its names: ${bad.message}`);
    if (Date.now() > deadline) throw new PluginError(`${a.planned.label} was not Established within ${CRD_ESTABLISHED_TIMEOUT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
    crd = (await kube.call<KubeObject>('GET', a.planned.path)).body;
  }
}
