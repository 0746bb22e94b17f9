import type { Row } from './measure.ts';

/** The benchmark table: `npm run bench` prints it, and so do the bench scripts that run alone. */
export function printTable(all: readonly Row[]): void {
  const header = ['plugin', 'measure', 'value', 'baseline', 'ratio', 'target'];
  const body = all.map((r) => [
    r.group,
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline ? `${fmt(r.baseline.value)} ${r.unit} (${r.baseline.name})` : '',
    r.baseline ? `${(r.value / r.baseline.value).toFixed(2)}x` : '',
    r.target ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of body) console.log(line(row));
}

function fmt(n: number): string {
  return n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2);
}
