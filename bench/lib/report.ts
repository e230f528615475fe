// The shape every bench section returns, and how it is printed.
import type { Verdict } from './verdict';

/** One target: what it asks, what was measured, and whether it holds (bench/lib/verdict.ts). */
export interface Check {
  name: string;
  target: string;
  measured: string;
  verdict: Verdict;
  /** Why a target was not measured (e.g. what this machine lacks); shown in place of a verdict. */
  why?: string;
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

/** A pass/fail check with no rounds to spread over (suites passing, a size): met or not met, never undecided. */
export const verdictOf = (ok: boolean): Verdict => (ok ? 'met' : 'not met');

/**
 * The verdict column: every measured verdict carries the idle-vCPU polling setting it was measured under (it moves
 * every latency here, bench/README.md), so a verdict is never quoted without it.
 */
export function verdictCell(check: Check, polling: string): string {
  if (check.verdict === 'not measured') return `not measured: ${check.why ?? 'no measurement'}`;
  return `${check.verdict === 'met' ? 'met' : check.verdict.toUpperCase()} (polling ${polling})`;
}

/** The targets table, printed and published alike. */
export function checksTable(checks: readonly Check[], polling: string): Table {
  return {
    columns: ['target', 'wanted', 'measured', 'verdict'],
    rows: checks.map((check) => [check.name, check.target, check.measured, verdictCell(check, polling)]),
  };
}

export function printSection(section: SectionResult, polling: string): void {
  console.log(`\n== ${section.title}\n${section.method}\n`);
  for (const table of section.tables) console.log(formatTable(table) + '\n');
  if (section.checks.length > 0) console.log(formatTable(checksTable(section.checks, polling)));
}

export const ratio = (value: number, baseline: number): string => `${(value / baseline).toFixed(2)}×`;
export const us = (micros: number): string => `${Math.round(micros)} µs`;
export const rps = (perSecond: number): string => perSecond.toFixed(0);
export const percent = (share: number): string => `${(share * 100).toFixed(1)} %`;

/** The closing line: how many targets got each verdict, and which ones are not met or not decided. */
export function tally(checks: readonly Check[]): string {
  const verdicts: Verdict[] = ['met', 'not met', 'not decided', 'not measured'];
  const counts = verdicts
    .map((verdict) => [verdict, checks.filter((check) => check.verdict === verdict)] as const)
    .filter(([, matching]) => matching.length > 0);
  const open = checks.filter((check) => check.verdict === 'not met' || check.verdict === 'not decided');
  return [
    counts.map(([verdict, matching]) => `${matching.length} ${verdict}`).join(', ') || 'no targets',
    ...open.map((check) => `${check.verdict.toUpperCase()}: ${check.name}`),
  ].join('\n  ');
}
