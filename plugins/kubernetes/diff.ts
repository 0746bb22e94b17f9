/**
 * A readable diff of an object against the live one, as YAML lines with `-`/`+` markers. Fields the
 * server maintains (managedFields, resourceVersion, status...) are left out: they are not drift.
 * Secret values never appear, only whether they change.
 */
import { dump } from 'js-yaml';
import { MASK } from '../../shared/secrets.ts';
import type { KubeObject } from './manifests.ts';

const VOLATILE_METADATA = ['managedFields', 'resourceVersion', 'generation', 'creationTimestamp', 'uid', 'selfLink'];
const CONTEXT = 3;

/** Empty when nothing would change. */
export function renderDiff(label: string, live: KubeObject | undefined, next: KubeObject): string {
  const [before, after] = maskSecrets(live && comparable(live), comparable(next));
  const a = before ? toLines(before) : [];
  const b = toLines(after);
  const ops = diffLines(a, b);
  if (!ops.some((op) => op.kind !== ' ')) return '';
  const header = live ? `--- ${label} (live)\n+++ ${label} (after apply)` : `+++ ${label} (new)`;
  return [header, ...hunks(ops)].join('\n');
}

function comparable(o: KubeObject): KubeObject {
  const copy = structuredClone(o);
  delete copy.status;
  for (const k of VOLATILE_METADATA) delete copy.metadata[k];
  const annotations = copy.metadata.annotations;
  // The deployment controller's bookkeeping, and kubectl's client-side apply record.
  if (annotations) {
    delete annotations['deployment.kubernetes.io/revision'];
    delete annotations['kubectl.kubernetes.io/last-applied-configuration'];
    if (Object.keys(annotations).length === 0) delete copy.metadata.annotations;
  }
  return copy;
}

function maskSecrets(live: KubeObject | undefined, next: KubeObject): [KubeObject | undefined, KubeObject] {
  if (next.kind !== 'Secret' || next.apiVersion !== 'v1') return [live, next];
  for (const field of ['data', 'stringData']) {
    const a = (live?.[field] ?? {}) as Record<string, unknown>;
    const b = (next[field] ?? {}) as Record<string, unknown>;
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const same = a[key] === b[key];
      if (key in a) a[key] = same ? MASK : `${MASK} (before)`;
      if (key in b) b[key] = same ? MASK : `${MASK} (after)`;
    }
  }
  return [live, next];
}

function toLines(o: KubeObject): string[] {
  return dump(o, { noRefs: true, lineWidth: -1 }).trimEnd().split('\n');
}

interface Op {
  readonly kind: ' ' | '-' | '+';
  readonly line: string;
}

/** Longest common subsequence over lines; manifests are small enough for the quadratic table. */
function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i++]! });
      j++;
    } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      ops.push({ kind: '-', line: a[i++]! });
    } else {
      ops.push({ kind: '+', line: b[j++]! });
    }
  }
  return ops;
}

/** Changed lines with a few lines of context around them; `...` where unchanged lines are skipped. */
function hunks(ops: readonly Op[]): string[] {
  const keep = ops.map(() => false);
  ops.forEach((op, i) => {
    if (op.kind === ' ') return;
    for (let k = Math.max(0, i - CONTEXT); k <= Math.min(ops.length - 1, i + CONTEXT); k++) keep[k] = true;
  });
  const out: string[] = [];
  let skipped = false;
  ops.forEach((op, i) => {
    if (!keep[i]) {
      if (!skipped) out.push('  ...');
      skipped = true;
      return;
    }
    skipped = false;
    out.push(`${op.kind} ${op.line}`);
  });
  return out;
}
