// The shape every bench section returns, and how it is printed.

/** One target: what it asks, what was measured, and whether it holds (null: not measured here). */
export interface Check {
  name: string;
  target: string;
  measured: string;
  ok: boolean | null;
}

export interface Table {
  columns: string[];
  rows: string[][];
}

export interface SectionResult {
  title: string;
  /** How it was measured, in a sentence or two (printed and published). */
  method: string;
  tables: Table[];
  checks: Check[];
  /** The raw numbers, for docs/bench/latest.json. */
  data: unknown;
}

export function formatTable(table: Table): string {
  const widths = table.columns.map((column, i) =>
    Math.max(column.length, ...table.rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]): string => cells.map((cell, i) => cell.padEnd(widths[i])).join('  ');
  return [line(table.columns), line(widths.map((w) => '-'.repeat(w))), ...table.rows.map(line)].join('\n');
}

export function checkMark(ok: boolean | null): string {
  return ok === null ? 'not measured' : ok ? 'met' : 'NOT met';
}

export function printSection(section: SectionResult): void {
  console.log(`\n== ${section.title}\n${section.method}\n`);
  for (const table of section.tables) console.log(formatTable(table) + '\n');
  if (section.checks.length > 0) {
    console.log(
      formatTable({
        columns: ['target', 'wanted', 'measured', 'verdict'],
        rows: section.checks.map((check) => [check.name, check.target, check.measured, checkMark(check.ok)]),
      }),
    );
  }
}

export const ratio = (value: number, baseline: number): string => `${(value / baseline).toFixed(2)}×`;
export const us = (micros: number): string => `${Math.round(micros)} µs`;
export const rps = (perSecond: number): string => perSecond.toFixed(0);
export const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;
