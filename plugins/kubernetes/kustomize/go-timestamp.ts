import { defineScalarTag, NOT_RESOLVED } from 'js-yaml';
import { KUBE_SCHEMA } from '../../../shared/yaml.ts';

// go-yaml's timestamp layouts: `2006-1-2T15:4:5.999999999Z07:00` (or `t`), `2006-1-2 15:4:5.999999999` (UTC), `2006-1-2`.
const LAYOUTS = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:[Tt](\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2}))|(?: (\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,9}))?))?$/;

/**
 * A plain scalar that go-yaml takes for a timestamp, written as kustomize writes it after a build:
 * Go's RFC 3339 with nanoseconds (`2021-01-01` -> `2021-01-01T00:00:00Z`). Quoted, it stays as it is;
 * and `kubectl apply` of the file itself keeps the text, so only a kustomization's files read this way.
 */
export const goTimestampTag = defineScalarTag('tag:yaml.org,2002:timestamp', {
  implicit: true,
  implicitFirstChars: [...'0123456789'],
  resolve: (source) => {
    const m = LAYOUTS.exec(source);
    if (!m) return NOT_RESOLVED;
    const [year, month, day] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
    const [hour, minute, second] = [m[4] ?? m[9] ?? '0', m[5] ?? m[10] ?? '0', m[6] ?? m[11] ?? '0'].map(Number) as [number, number, number];
    if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return NOT_RESOLVED;
    const fraction = (m[7] ?? m[12] ?? '').replace(/0+$/, '');
    const zone = m[8] === undefined || /^[+-]00:00$/.test(m[8]) ? 'Z' : m[8];
    const two = (n: number) => String(n).padStart(2, '0');
    return `${m[1]}-${two(month)}-${two(day)}T${two(hour)}:${two(minute)}:${two(second)}${fraction ? `.${fraction}` : ''}${zone}`;
  },
  identify: () => false,
});

/** Go's proleptic Gregorian calendar, year 0 included (Date.UTC would read years below 100 as 19xx). */
function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** What goTimestampTag writes: an annotation holding one was a date, and keeps its own text. */
export const GO_TIMESTAMP = /^\d{4}-\d\d-\d\dT/;

/** YAML as kustomize reads a kustomization's resources and patches. */
export const KUSTOMIZE_SCHEMA = KUBE_SCHEMA.withTags(goTimestampTag);
