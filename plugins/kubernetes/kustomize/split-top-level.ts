/**
 * `text` split at each `separator` that is not inside brackets: the commas of a label selector
 * outside `in (a,b)`, the dots of a field path outside `[name=a.b]`.
 */
export function splitTopLevel(text: string, separator: string, open: string, close: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (c === open) depth++;
    if (c === close) depth--;
    if (c === separator && depth === 0) {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  return out;
}
