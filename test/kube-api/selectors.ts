// Label selectors (equality- and set-based) and field selectors as list and watch requests use them.
import { isObj } from './fields.ts';
import { badRequest } from './status.ts';

type Obj = Record<string, unknown>;
export type Predicate = (o: Obj) => boolean;

// Split on commas that are not inside "in (a,b)" parentheses.
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim()) out.push(cur);
  return out.map((t) => t.trim()).filter(Boolean);
}

export function labelSelector(s: string | null): Predicate {
  if (!s) return () => true;
  const tests = splitTerms(s).map((term): ((l: Obj) => boolean) => {
    let m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const [key, op, list] = [m[1]!, m[2], m[3]!];
      const values = list.split(',').map((v) => v.trim());
      return op === 'in' ? (l) => key in l && values.includes(String(l[key])) : (l) => !(key in l) || !values.includes(String(l[key]));
    }
    m = /^([^\s!=]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) {
      const [key, op, value] = [m[1]!, m[2], m[3]];
      return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
    }
    m = /^(!?)([^\s!=()]+)$/.exec(term);
    if (m) {
      const [not, key] = [m[1], m[2]!];
      return not ? (l) => !(key in l) : (l) => key in l;
    }
    throw badRequest(`unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt`);
  });
  return (o) => {
    const labels = isObj(o.metadata) && isObj(o.metadata.labels) ? o.metadata.labels : {};
    return tests.every((t) => t(labels));
  };
}

export function fieldSelector(s: string | null): Predicate {
  if (!s) return () => true;
  const tests = splitTerms(s).map((term) => {
    const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${s}'; can't understand '${term}'`);
    const [path, op, value] = [m[1]!, m[2], m[3]];
    return (o: Obj) => {
      let v: unknown = o;
      for (const part of path.trim().split('.')) v = isObj(v) ? v[part] : undefined;
      const actual = v === undefined || v === null ? '' : String(v);
      return op === '!=' ? actual !== value : actual === value;
    };
  });
  return (o) => tests.every((t) => t(o));
}
