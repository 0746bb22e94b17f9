/**
 * Whether a workload is done, by `kubectl rollout status` rules (and Job conditions). Pure: it reads
 * the object as the server returned it.
 */
export type Verdict =
  | { readonly state: 'done'; readonly text: string }
  | { readonly state: 'waiting'; readonly text: string }
  | { readonly state: 'failed'; readonly text: string };

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

interface Workload {
  kind?: string;
  metadata?: { generation?: number };
  spec?: {
    replicas?: number;
    completions?: number;
    updateStrategy?: { type?: string; rollingUpdate?: { partition?: number } };
  };
  status?: Record<string, unknown> & { conditions?: Condition[] };
}

/** The workload's controller has seen its latest spec, so its status (and revision) describe it. */
export function observed(object: unknown): boolean {
  const o = object as Workload;
  const seen = o.status?.observedGeneration;
  return (o.metadata?.generation ?? 0) <= (typeof seen === 'number' ? seen : 0);
}

export function verdict(kind: string, object: unknown): Verdict {
  const o = object as Workload;
  const s = o.status ?? {};
  const n = (key: string) => (typeof s[key] === 'number' ? (s[key] as number) : 0);
  const seen = observed(o);
  const waiting = (text: string): Verdict => ({ state: 'waiting', text });
  switch (kind) {
    case 'Deployment': {
      if (!seen) return waiting('waiting for the deployment controller to see the new spec');
      const progressing = s.conditions?.find((c) => c.type === 'Progressing');
      if (progressing?.reason === 'ProgressDeadlineExceeded') return { state: 'failed', text: `exceeded its progress deadline: ${progressing.message ?? ''}`.trim() };
      const want = o.spec?.replicas ?? 1;
      if (n('updatedReplicas') < want) return waiting(`${n('updatedReplicas')} of ${want} replicas updated`);
      if (n('replicas') > n('updatedReplicas')) return waiting(`${n('replicas') - n('updatedReplicas')} old replicas pending termination`);
      if (n('availableReplicas') < n('updatedReplicas')) return waiting(`${n('availableReplicas')} of ${n('updatedReplicas')} updated replicas available`);
      return { state: 'done', text: `successfully rolled out (${n('availableReplicas')} available)` };
    }
    case 'StatefulSet': {
      if (o.spec?.updateStrategy?.type === 'OnDelete') return { state: 'done', text: 'applied (OnDelete update strategy: pods change when deleted)' };
      if (n('observedGeneration') === 0 || !seen) return waiting('waiting for the statefulset controller to see the new spec');
      const want = o.spec?.replicas ?? 1;
      if (n('readyReplicas') < want) return waiting(`${n('readyReplicas')} of ${want} pods ready`);
      const partition = o.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
      if (partition > 0) {
        if (n('updatedReplicas') < want - partition) return waiting(`${n('updatedReplicas')} of ${want - partition} pods updated (partition ${partition})`);
        return { state: 'done', text: `partitioned roll out complete (${n('updatedReplicas')} new pods)` };
      }
      if (s.updateRevision !== s.currentRevision) return waiting(`${n('updatedReplicas')} of ${want} pods updated`);
      return { state: 'done', text: `roll out complete (${n('readyReplicas')} ready)` };
    }
    case 'DaemonSet': {
      if (o.spec?.updateStrategy?.type === 'OnDelete') return { state: 'done', text: 'applied (OnDelete update strategy: pods change when deleted)' };
      if (!seen) return waiting('waiting for the daemonset controller to see the new spec');
      const desired = n('desiredNumberScheduled');
      if (n('updatedNumberScheduled') < desired) return waiting(`${n('updatedNumberScheduled')} of ${desired} pods updated`);
      if (n('numberAvailable') < desired) return waiting(`${n('numberAvailable')} of ${desired} updated pods available`);
      return { state: 'done', text: `successfully rolled out (${n('numberAvailable')} available)` };
    }
    case 'Job': {
      const cond = (type: string) => s.conditions?.find((c) => c.type === type && c.status === 'True');
      const failed = cond('Failed');
      if (failed) return { state: 'failed', text: `failed: ${failed.reason ?? ''}${failed.message ? `: ${failed.message}` : ''}` };
      if (cond('Complete')) return { state: 'done', text: `complete (${n('succeeded')} succeeded)` };
      return waiting(`${n('succeeded')} of ${o.spec?.completions ?? 1} completions, ${n('active')} active${n('failed') ? `, ${n('failed')} failed` : ''}`);
    }
    default:
      return { state: 'done', text: 'applied' };
  }
}

interface ContainerStatus {
  name: string;
  ready?: boolean;
  restartCount?: number;
  state?: { waiting?: { reason?: string; message?: string }; terminated?: { reason?: string; exitCode?: number; message?: string } };
  lastState?: { terminated?: { reason?: string; exitCode?: number; message?: string } };
}

export interface Pod {
  metadata: { name: string };
  status?: {
    phase?: string;
    conditions?: Condition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

/** Waiting reasons that do not go away by waiting longer. */
const STUCK = new Set(['ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'CrashLoopBackOff', 'RunContainerError']);

export interface PodProblem {
  readonly pod: string;
  readonly container?: string;
  readonly text: string;
  /** Worth failing for without waiting for the timeout. */
  readonly stuck: boolean;
  /** Its last log lines are worth showing. */
  readonly crashed: boolean;
}

/** What is wrong with a pod, one entry per unhealthy container (or the pod, when unscheduled). */
export function podProblems(pod: Pod): PodProblem[] {
  const out: PodProblem[] = [];
  const name = pod.metadata.name;
  const unscheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (unscheduled) out.push({ pod: name, text: `not scheduled: ${unscheduled.reason ?? ''}${unscheduled.message ? `: ${unscheduled.message}` : ''}`, stuck: false, crashed: false });
  if (pod.status?.phase === 'Failed') out.push({ pod: name, text: 'pod failed', stuck: false, crashed: false });
  for (const c of [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])]) {
    if (c.ready) continue;
    const waiting = c.state?.waiting;
    const last = c.lastState?.terminated ?? c.state?.terminated;
    const parts: string[] = [];
    if (waiting?.reason) parts.push(`${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`);
    if (last && (last.reason !== 'Completed' || last.exitCode !== 0)) parts.push(`last exit: ${last.reason ?? 'Error'} (exit code ${last.exitCode ?? '?'})`);
    if (c.restartCount) parts.push(`${c.restartCount} restarts`);
    if (parts.length === 0) continue;
    out.push({
      pod: name,
      container: c.name,
      text: parts.join('; '),
      stuck: STUCK.has(waiting?.reason ?? ''),
      crashed: waiting?.reason === 'CrashLoopBackOff' || last !== undefined,
    });
  }
  return out;
}
