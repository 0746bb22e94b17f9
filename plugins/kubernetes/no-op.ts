import type { KubeObject } from './manifests.ts';

/** A server-side dry-run apply's answer, with when it was asked and answered by this process's clock. */
export interface DryRunAnswer {
  readonly status: number;
  readonly object: KubeObject;
  /** The answer's Date header: the server's clock, to the second. */
  readonly date: string | undefined;
  readonly sentAt: number;
  readonly receivedAt: number;
}

interface ManagedFieldsEntry {
  readonly manager?: string;
  readonly operation?: string;
  readonly subresource?: string;
  readonly time?: string;
}

/**
 * Whether applying the object for real would change nothing, told from its dry run alone.
 *
 * A dry run keeps the live resourceVersion whether or not it would change the object, so that says
 * nothing. What does: an apply that changes the object stamps the manager's managedFields entry with
 * the server's time of the apply, to the second; a no-op keeps the stored time. So the entry is
 * provably older than this request when its time is at least a second before the server's clock
 * could have read when the request was sent. That clock is bounded from below by the answer's Date
 * header (written before the answer arrived), so the runner's own clock need not agree with the
 * server's. Anything less certain (no Date header, no single entry, a stamp of the last second or
 * two) counts as a change: the apply is sent.
 */
export function unchangedByApply(a: DryRunAnswer, manager: string): boolean {
  if (a.status !== 200) return false;
  const serverClockAtAnswer = Date.parse(a.date ?? '');
  if (!Number.isFinite(serverClockAtAnswer)) return false;
  const managed = a.object.metadata.managedFields;
  const entries = (Array.isArray(managed) ? (managed as ManagedFieldsEntry[]) : []).filter(
    (e) => e.manager === manager && e.operation === 'Apply' && !e.subresource,
  );
  if (entries.length !== 1) return false;
  const stamped = Date.parse(entries[0]!.time ?? '');
  if (!Number.isFinite(stamped)) return false;
  const serverClockAtSend = a.sentAt + (serverClockAtAnswer - a.receivedAt);
  return stamped <= serverClockAtSend - 1000;
}
