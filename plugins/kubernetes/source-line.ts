import type { Source } from './manifests.ts';

/**
 * `file:line` of an object, or of one of its fields (`metadata.namespace`, a field a server error
 * names) when that field is found in the object's text.
 */
export function where(source: Pick<Source, 'file' | 'line' | 'text'>, field?: string): string {
  if (source.line === 0) return source.file;
  const offset = field ? locateField(source.text, field) : undefined;
  if (offset === undefined) return `${source.file}:${source.line}`;
  const firstContent = source.text.split('\n').findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  return `${source.file}:${source.line - Math.max(0, firstContent) + offset}`;
}

/**
 * The 0-based line of a field named in a server error (`.spec.template.spec.containers[name="app"].image`,
 * `spec.selector`) within a document; the nearest enclosing field found when the exact one is not.
 */
export function locateField(text: string, path: string): number | undefined {
  const lines = text.split('\n');
  const segments = path.replace(/^\./, '').match(/[^.[\]]+|\[[^\]]*\]/g) ?? [];
  let from = 0;
  let minIndent = -1;
  let found: number | undefined;
  for (const seg of segments) {
    if (seg.startsWith('[')) {
      const m = /^\[(\w+)="?([^"]*)"?\]$/.exec(seg);
      if (!m) continue;
      const re = new RegExp(`^(\\s*)(?:-\\s+)?["']?${RegExp.escape(m[1]!)}["']?\\s*:\\s*["']?${RegExp.escape(m[2]!)}["']?\\s*$`);
      const i = lines.findIndex((l, n) => n >= from && re.test(l));
      if (i < 0) return found;
      found = i;
      from = i + 1;
      minIndent = lines[i]!.search(/\S/) - 1;
      continue;
    }
    const re = new RegExp(`^(\\s*)(?:-\\s+)?["']?${RegExp.escape(seg)}["']?\\s*:`);
    const i = lines.findIndex((l, n) => n >= from && re.test(l) && indentOf(l) > minIndent);
    if (i < 0) return found;
    found = i;
    from = i + 1;
    minIndent = indentOf(lines[i]!);
  }
  return found;
}

function indentOf(line: string): number {
  const m = /^(\s*)(?:-\s+)?/.exec(line)!;
  return m[0].length;
}
