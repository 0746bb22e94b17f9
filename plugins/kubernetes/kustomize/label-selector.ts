import { splitTopLevel } from './split-top-level.ts';

/**
 * A Kubernetes label selector in its string form (`tier=web,env in (a,b),!legacy`), as kustomize's
 * `labelSelector` and `annotationSelector` take it: the requirements are ANDed.
 */
type SelectorTest = (labels: Readonly<Record<string, string>>) => boolean;

export class SelectorSyntaxError extends Error {}

export function parseSelector(text: string): SelectorTest {
  const tests: SelectorTest[] = [];
  for (const part of splitTopLevel(text, ',', '(', ')')) {
    if (part.trim() !== '') tests.push(requirement(part.trim(), text));
  }
  return (labels) => tests.every((t) => t(labels));
}

function requirement(part: string, text: string): SelectorTest {
  const equality = /^(\S+?)\s*(==|!=|=)\s*(\S*)$/.exec(part);
  if (equality) {
    const [, key, op, value] = equality as unknown as [string, string, string, string];
    return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
  if (set) {
    const [, key, op, list] = set as unknown as [string, string, string, string];
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in' ? (l) => l[key] !== undefined && values.has(l[key]) : (l) => l[key] === undefined || !values.has(l[key]);
  }
  const absent = /^!\s*(\S+)$/.exec(part);
  if (absent) return (l) => l[absent[1]!] === undefined;
  if (/^[^\s!=(),]+$/.test(part)) return (l) => l[part] !== undefined;
  throw new SelectorSyntaxError(`cannot read ${JSON.stringify(part)} in the selector ${JSON.stringify(text)}`);
}
