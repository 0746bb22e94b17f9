/**
 * Waiting for rollouts and Jobs, and saying why one failed: pod states, last log lines of crashing
 * containers, recent Warning events. Optionally rolls a failed Deployment back. Each workload is
 * watched, so the wait ends as soon as its rollout does; pods are still checked every `pollMs`,
 * and a workload that may not be watched is read every `pollMs` instead.
 */
import { PluginError } from '../../shared/errors.ts';
import type { Logger } from '../../shared/log.ts';
import { Cancelled, type Deadline } from '../../shared/stop.ts';
import { errorFor, explainFailure } from './explain.ts';
import { type KubeClient, KubeError } from './kube.ts';
import type { KubeObject } from './manifests.ts';
import { mapPool } from './map-pool.ts';
import { mergePatchFrom } from './merge-patch.ts';
import { type Pod, type PodProblem, type Verdict, observed, podProblems, verdict } from './status.ts';
import { type Followed, follow, wakeup } from './watch-object.ts';

export interface Target {
  readonly label: string;
  readonly kind: string;
  readonly path: string;
  readonly namespace: string | undefined;
  readonly name: string;
}

export interface WaitOptions {
  /** The step's time limit, for messages; `deadline` is when it runs out. */
  readonly timeoutMs: number;
  readonly deadline: Deadline | undefined;
  /** The step's signal: a cancel ends the wait at once. */
  readonly signal: AbortSignal;
  readonly pollMs: number;
  readonly rollback: boolean;
  readonly log: Logger;
}

interface Tracked extends Followed {
  readonly target: Target;
  verdict: Verdict;
  stuck?: PodProblem;
}

const LOG_LINES = 20;
const PROGRESS_EVERY_MS = 30_000;
const EVENTS_SHOWN = 5;

/** The share of the step's time limit kept for saying why a rollout did not finish (and rolling it back). */
const REPORT_SHARE = 0.2;
const REPORT_MAX_MS = 5000;

export async function waitFor(kube: KubeClient, targets: readonly Target[], o: WaitOptions): Promise<void> {
  if (targets.length === 0) return;
  const started = Date.now();
  const end = o.deadline ? o.deadline.at - Math.min(REPORT_MAX_MS, o.timeoutMs * REPORT_SHARE) : Number.POSITIVE_INFINITY;
  const tracked: Tracked[] = targets.map((target) => ({ target, verdict: { state: 'waiting', text: 'not checked yet' } }));
  let lastProgress = '';
  let lastPrinted = 0;
  o.log.info(`waiting ${o.deadline ? `up to ${Math.max(0, Math.round((end - started) / 1000))} s ` : ''}for ${targets.map((t) => t.label).join(', ')}`);
  const open = () => tracked.filter((t) => t.verdict.state === 'waiting' && !t.stuck);
  const changed = wakeup();
  // Closes every watch when the wait ends, however it ends.
  const watches = new AbortController();
  try {
    for (;;) {
      const pending = open();
      await mapPool(pending, 8, (t) => check(kube, t));
      for (const t of open()) t.watch ??= follow(kube, t, { signal: watches.signal, onChange: changed.notify, retryMs: o.pollMs, log: o.log });
      for (const t of pending) if (t.verdict.state === 'done') o.log.info(`${t.target.label} ${t.verdict.text}`);
      const failed = tracked.filter((t) => t.verdict.state === 'failed' || t.stuck);
      if (open().length === 0 && failed.length === 0) return;
      const outOfTime = Date.now() >= end;
      if (failed.length > 0 || outOfTime) throw await failure(kube, failed, open(), o, outOfTime);
      const elapsed = Date.now() - started;
      const progress = open()
        .map((t) => `${t.target.label}: ${t.verdict.text}`)
        .join('; ');
      // On change, and now and then while nothing changes, so a long wait does not look hung.
      if (progress !== lastProgress || elapsed - lastPrinted >= PROGRESS_EVERY_MS) {
        o.log.info(`[${Math.round(elapsed / 1000)}s] ${progress}`);
        lastProgress = progress;
        lastPrinted = elapsed;
      }
      await changed.wait(Math.min(o.pollMs, Math.max(0, end - Date.now())), o.signal);
    }
  } catch (err) {
    if (!(err instanceof Cancelled)) throw err;
    // What a cancel leaves behind: applied, and these not rolled out yet.
    const unfinished = open();
    for (const t of unfinished) o.log.info(`${t.target.label} still rolling out: ${t.verdict.text}`);
    throw new Cancelled(err.signal, `while waiting for ${unfinished.length === 1 ? unfinished[0]!.target.label : `${unfinished.length} workloads`} to roll out`);
  } finally {
    watches.abort();
  }
}

async function check(kube: KubeClient, t: Tracked): Promise<void> {
  // A live watch has brought the object as it is; otherwise it is read.
  if (!t.watching || !t.object) {
    try {
      t.object = (await kube.call<KubeObject>('GET', t.target.path)).body;
    } catch (err) {
      throw errorFor(err, { action: 'read', what: t.target.label }, kube.connection);
    }
  }
  t.verdict = verdict(t.target.kind, t.object);
  // Until the controller has seen the new spec, its pods and revision are the old ones.
  if (t.verdict.state !== 'waiting' || (t.target.kind !== 'Job' && !observed(t.object))) return;
  // A pod that cannot pull its image or keeps crashing will not recover by waiting out the timeout.
  const stuck = (await podsOf(kube, t)).flatMap(podProblems).filter((p) => p.stuck);
  if (stuck.length === 0) return;
  // Only the new revision's pods count: the old ones of a failed deploy may crash while this one fixes it.
  const current = new Set((await currentPods(kube, t)).map((p) => p.metadata.name));
  t.stuck = stuck.find((p) => current.has(p.pod));
}

async function failure(kube: KubeClient, failed: readonly Tracked[], open: readonly Tracked[], o: WaitOptions, outOfTime: boolean): Promise<PluginError> {
  const lines: string[] = [];
  for (const t of [...failed, ...open]) {
    const why = t.stuck ? `${t.stuck.pod}${t.stuck.container ? ` (container ${t.stuck.container})` : ''}: ${t.stuck.text}` : t.verdict.text;
    const state = t.verdict.state === 'failed' || t.stuck ? 'failed' : outOfTime ? `did not finish within ${Math.round(o.timeoutMs / 1000)} s` : 'still in progress';
    lines.push(`${t.target.label} ${state}: ${why}`);
    lines.push(...(await diagnose(kube, t)).map((l) => `  ${l}`));
  }
  const count = failed.length + open.length;
  // One workload: its headline is the error itself, so print only the details before it.
  for (const line of count === 1 ? lines.slice(1) : lines) o.log.info(line);
  if (o.rollback) {
    const undo = outOfTime ? [...failed, ...open] : failed;
    for (const t of undo) if (t.target.kind === 'Deployment') await rollback(kube, t.target, o.log);
  }
  const summary = failed.length > 0 ? `${failed.length} of ${count} workloads failed` : `${count} workloads did not finish within ${Math.round(o.timeoutMs / 1000)} s`;
  return new PluginError(
    count === 1 ? lines[0]! : `${summary} (details above)`,
    {
      exitCode: 1,
      hint: failed.length === 0 ? 'If the rollout is just slow, raise settings.timeout.' : 'The pod states and events above say why.',
    },
  );
}

/** Lines describing the workload's unhealthy pods and recent warnings. */
async function diagnose(kube: KubeClient, t: Tracked): Promise<string[]> {
  const out: string[] = [];
  try {
    const pods = await podsOf(kube, t);
    const problems = pods.flatMap(podProblems);
    for (const p of problems) out.push(`pod ${p.pod}${p.container ? ` container ${p.container}` : ''}: ${p.text}`);
    if (problems.length === 0 && pods.length > 0) out.push(`${pods.length} pods, none reporting a container problem (pending: ${pods.filter((p) => p.status?.phase === 'Pending').length})`);
    for (const p of problems.filter((x) => x.crashed && x.container).slice(0, 2)) {
      const log = await lastLog(kube, t.target.namespace!, p.pod, p.container!);
      if (log.length > 0) out.push(`last log lines of ${p.pod}/${p.container}:`, ...log.map((l) => `| ${l}`));
    }
    out.push(...(await warnings(kube, t.target, pods)));
  } catch (err) {
    if (!(err instanceof KubeError)) throw err;
    out.push(`(could not read pods or events: ${explainFailure(err, { action: 'read', what: `pods in namespace ${t.target.namespace}` }, kube.connection).message})`);
  }
  return out;
}

type Labels = Record<string, string>;

async function podsOf(kube: KubeClient, t: Tracked, extra: Labels = {}): Promise<Pod[]> {
  const ns = t.target.namespace;
  if (!ns || !t.object) return [];
  const labels = t.target.kind === 'Job' ? { 'batch.kubernetes.io/job-name': t.target.name } : selectorOf(t.object);
  if (Object.keys(labels).length === 0) return [];
  const { body } = await kube.call<{ items: Pod[] }>('GET', `/api/v1/namespaces/${ns}/pods`, { query: { labelSelector: selectorText({ ...labels, ...extra }) } });
  return body.items;
}

/** The pods of the revision being rolled out, by the hash label its controller puts on them. */
async function currentPods(kube: KubeClient, t: Tracked): Promise<Pod[]> {
  if (t.target.kind === 'StatefulSet') {
    const revision = (t.object?.status as { updateRevision?: string } | undefined)?.updateRevision;
    return revision ? podsOf(kube, t, { 'controller-revision-hash': revision }) : [];
  }
  if (t.target.kind !== 'Deployment' || !t.object) return podsOf(kube, t);
  const newest = (await replicaSetsOf(kube, t.object)).find((r) => r.revision === revisionOf(t.object!));
  const hash = newest?.rs.metadata.labels?.['pod-template-hash'];
  return hash ? podsOf(kube, t, { 'pod-template-hash': hash }) : [];
}

function selectorOf(o: KubeObject): Labels {
  return (o.spec as { selector?: { matchLabels?: Labels } } | undefined)?.selector?.matchLabels ?? {};
}

function selectorText(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

async function lastLog(kube: KubeClient, ns: string, pod: string, container: string): Promise<string[]> {
  for (const previous of ['true', undefined]) {
    try {
      const text = await kube.text(`/api/v1/namespaces/${ns}/pods/${pod}/log`, { container, tailLines: String(LOG_LINES), previous });
      const lines = text.split('\n').filter((l) => l.trim() !== '');
      if (lines.length > 0) return lines.slice(-LOG_LINES);
    } catch {
      // No previous container, or logs not reachable (no kubelet): nothing to show.
    }
  }
  return [];
}

interface Event {
  type?: string;
  reason?: string;
  message?: string;
  count?: number;
  involvedObject?: { kind?: string; name?: string };
  lastTimestamp?: string | null;
  eventTime?: string | null;
  metadata?: { creationTimestamp?: string };
}

async function warnings(kube: KubeClient, target: Target, pods: readonly Pod[]): Promise<string[]> {
  if (!target.namespace) return [];
  const { body } = await kube.call<{ items: Event[] }>('GET', `/api/v1/namespaces/${target.namespace}/events`, { query: { fieldSelector: 'type=Warning' } });
  const names = new Set([target.name, ...pods.map((p) => p.metadata.name)]);
  const when = (e: Event) => e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '';
  const mine = body.items
    .filter((e) => e.type === 'Warning' && e.involvedObject?.name && (names.has(e.involvedObject.name) || e.involvedObject.name.startsWith(`${target.name}-`)))
    .sort((a, b) => when(a).localeCompare(when(b)))
    .slice(-EVENTS_SHOWN);
  return mine.map((e) => `event ${e.involvedObject?.kind?.toLowerCase()}/${e.involvedObject?.name}: ${e.reason}: ${e.message}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ''}`);
}

interface ReplicaSet {
  metadata: { name: string; labels?: Labels; annotations?: Labels; ownerReferences?: Array<{ uid: string }> };
  spec: { template: { metadata?: { labels?: Labels }; [k: string]: unknown } };
}

const REVISION = 'deployment.kubernetes.io/revision';

function revisionOf(o: { metadata: { annotations?: Labels } }): number {
  return Number(o.metadata.annotations?.[REVISION] ?? 0);
}

/** The Deployment's ReplicaSets with their revisions, newest first. */
async function replicaSetsOf(kube: KubeClient, d: KubeObject): Promise<Array<{ rs: ReplicaSet; revision: number }>> {
  const { body } = await kube.call<{ items: ReplicaSet[] }>('GET', `/apis/apps/v1/namespaces/${d.metadata.namespace}/replicasets`, {
    query: { labelSelector: selectorText(selectorOf(d)) },
  });
  const uid = (d.metadata as { uid?: string }).uid;
  return body.items
    .filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === uid))
    .map((rs) => ({ rs, revision: revisionOf(rs) }))
    .sort((a, b) => b.revision - a.revision);
}

/** `kubectl rollout undo`: the Deployment's template goes back to its previous ReplicaSet's. */
async function rollback(kube: KubeClient, target: Target, log: Logger): Promise<void> {
  try {
    const { body: d } = await kube.call<KubeObject>('GET', target.path);
    const previous = (await replicaSetsOf(kube, d)).find((r) => r.revision < revisionOf(d));
    if (!previous) {
      log.warn(`rollback of ${target.label}: no previous revision to go back to`);
      return;
    }
    const template = structuredClone(previous.rs.spec.template);
    delete template.metadata?.labels?.['pod-template-hash'];
    await kube.call('PATCH', target.path, {
      body: { spec: { template: mergePatchFrom((d.spec as { template?: unknown }).template, template) } },
      contentType: 'application/merge-patch+json',
    });
    log.info(`${target.label} rolled back to revision ${previous.revision}`);
  } catch (err) {
    if (!(err instanceof KubeError)) throw err;
    log.warn(`rollback of ${target.label} failed: ${explainFailure(err, { action: 'roll back', what: target.label }, kube.connection).message}`);
  }
}
