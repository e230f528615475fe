// What every drill prints: what it did, and what it counted.
import type { LoadResult } from '../../../../bench/lib/load';
import { formatHistogram, formatMs } from '../../../../bench/lib/stats';

export function printLoad(drill: string, what: string, result: LoadResult): void {
  console.log(
    `      [${drill}] ${what}: ${result.requests} requests in ${(result.durationMs / 1000).toFixed(1)} s ` +
      `(${result.requestsPerSecond.toFixed(0)} req/s), failures ${result.failures}, ` +
      `p50 ${formatMs(result.latency.p50Ms)}, p99 ${formatMs(result.latency.p99Ms)}, max ${formatMs(result.latency.maxMs)}; ` +
      `statuses ${formatHistogram(result.outcomes)}; stale keep-alive resends ${result.staleConnectionRetries}`,
  );
  for (const sample of result.failureSamples.slice(0, 5)) {
    console.log(
      `      [${drill}]   failed #${sample.index} ${sample.request.method} ${sample.request.path} at ` +
        `${sample.startedAtMs.toFixed(0)} ms: ${sample.status ?? sample.errorCode} ${sample.body.slice(0, 120)}`,
    );
  }
}

export function printStep(drill: string, line: string): void {
  console.log(`      [${drill}] ${line}`);
}
