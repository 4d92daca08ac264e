import type { BenchRow } from './BenchRow';

const COLUMNS = ['name', 'figure', 'anchor (same run)', 'ratio', 'target', 'met'] as const;

/** The rows as a Markdown table: readable in a terminal, pasted as is into the README. */
export function printTable(rows: readonly BenchRow[]): string {
  const cells = rows.map((row) => [row.name, row.figure, row.anchor, row.ratio, row.target, verdict(row)]);
  const widths = COLUMNS.map((title, column) => Math.max(title.length, ...cells.map((line) => [...line[column]!].length)));
  const line = (values: readonly string[]) =>
    `| ${values.map((value, column) => value + ' '.repeat(widths[column]! - [...value].length)).join(' | ')} |`;
  return [line(COLUMNS), line(widths.map((width) => '-'.repeat(width))), ...cells.map(line)].join('\n');
}

function verdict(row: BenchRow): string {
  if (row.met === undefined) return 'not measured';
  if (row.met === 'info') return 'info';
  if (row.met) return 'met';
  return row.unreachable === undefined ? 'not met' : `not reachable on this machine: ${row.unreachable}`;
}
