/**
 * kustomize keeps annotations as text: a build writes every `metadata.annotations` value as the
 * scalar's own text (`1.50` stays "1.50", `0x1F` stays "0x1F", a list becomes "") and drops an
 * empty `annotations:`. The parsed value has lost that text (1.5, 31), so it is read back from the
 * YAML where the annotations were written: the resource files and the strategic merge patches.
 */
import { CORE_SCHEMA, type Node, eventsToAst, parseEvents } from 'js-yaml';
import { GO_TIMESTAMP } from './go-timestamp.ts';

type Annotated = { metadata?: { annotations?: unknown } };

/** Each annotation of `object`, parsed from the one-document `text`, set to the text it was written as. */
export function keepAnnotationTexts(object: unknown, text: string): void {
  const annotations = annotationsOf(object);
  if (!annotations || Object.values(annotations).every((v) => typeof v === 'string' && !GO_TIMESTAMP.test(v))) return;
  const node = child(child(eventsToAst(parseEvents(text, {}), { source: text, schema: CORE_SCHEMA })[0]?.contents, 'metadata'), 'annotations');
  if (node?.kind !== 'mapping') return;
  for (const { key, value } of node.items) {
    if (key.kind !== 'scalar' || !(key.value in annotations)) continue;
    if (value.kind === 'scalar') annotations[key.value] = value.value;
    else if (value.kind !== 'alias') annotations[key.value] = '';
  }
}

/** The end of a build: no empty `annotations:`, and values no YAML text was kept for (a JSON patch's) as Go prints them. */
export function finishAnnotations(object: unknown): void {
  const md = (object as Annotated).metadata;
  if (!md || !('annotations' in md)) return;
  const annotations = annotationsOf(object);
  if (!annotations || Object.keys(annotations).length === 0) {
    delete md.annotations;
    return;
  }
  for (const [key, value] of Object.entries(annotations)) {
    if (typeof value === 'string') continue;
    annotations[key] = value === null ? 'null' : typeof value === 'object' ? '' : typeof value === 'number' ? goFloat(value) : String(value);
  }
}

/** A JSON patch's number reaches kustomize as a Go float64, written as strconv.FormatFloat(f, 'g', -1, 64): `1.234567e+06`. */
function goFloat(n: number): string {
  const [digits, exponent] = n.toExponential().split('e') as [string, string];
  const exp = Number(exponent);
  if (exp >= -4 && exp < 6) return String(n);
  return `${digits}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

function annotationsOf(object: unknown): Record<string, unknown> | undefined {
  const a = (object as Annotated | null)?.metadata?.annotations;
  return typeof a === 'object' && a !== null && !Array.isArray(a) ? (a as Record<string, unknown>) : undefined;
}

function child(node: Node | null | undefined, key: string): Node | undefined {
  if (node?.kind !== 'mapping') return undefined;
  return node.items.find((item) => item.key.kind === 'scalar' && item.key.value === key)?.value;
}
