// Latency summaries and status histograms shared by the benchmarks and the failure drills.

/** A latency distribution summarised in milliseconds. */
export interface LatencySummary {
  count: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Nearest-rank percentile of an ascending array (p in 0..100). */
export function percentile(sortedAscending: readonly number[], p: number): number {
  if (sortedAscending.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sortedAscending.length);
  return sortedAscending[Math.min(sortedAscending.length, Math.max(1, rank)) - 1];
}

export function summarizeLatencies(latenciesMs: readonly number[]): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  const values = Array.from(sorted);
  return {
    count: values.length,
    p50Ms: percentile(values, 50),
    p90Ms: percentile(values, 90),
    p99Ms: percentile(values, 99),
    maxMs: values.length > 0 ? values[values.length - 1] : Number.NaN,
  };
}

/** Counts of outcomes keyed by HTTP status ("200") or error code ("ECONNRESET"). */
export type OutcomeHistogram = Record<string, number>;

export function countOutcome(histogram: OutcomeHistogram, outcome: string): void {
  histogram[outcome] = (histogram[outcome] ?? 0) + 1;
}

export function formatHistogram(histogram: OutcomeHistogram): string {
  return Object.entries(histogram)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([outcome, count]) => `${outcome}×${count}`)
    .join(' ');
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms < 1 ? `${(ms * 1000).toFixed(0)} µs` : `${ms.toFixed(2)} ms`;
}
