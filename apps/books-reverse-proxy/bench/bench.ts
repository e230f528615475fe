/**
 * Gateway benchmark: wrk against (1) a backend directly, (2) a bare keepalive nginx proxy, (3) our gateway (nginx under
 * gatewayd with every feature on: request id, JSON access log (also the metrics' source), limits, security headers), in the
 * same run, at c=1 and c=32. Prints a table and ratios and writes JSON.
 *
 *   npm run bench -w apps/books-reverse-proxy -- [--out results.json] [--duration 3] [--rounds 6] [--backend node|nginx]
 *
 * The setups: bench/setups.ts; how the three are measured (interleaved rounds, medians): bench/compare.ts — both
 * shared with the repository's bench, which adds a real books replica as a third backend.
 *
 * Targets: gateway throughput ≥ 0.9 × bare proxy; gateway p50 ≤ 1.2 × bare proxy's at c=1.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { balancedCycle, compareProxies, GATEWAY_TARGETS, PROXY_TARGETS } from './compare';
import { STATIC_BACKENDS, staticBackendSetup, withSetup, type StaticBackend } from './setups';

/** Rounds of one cycle of the targets' balanced order: fewer would leave the runs' carryover unbalanced. */
const CYCLE = balancedCycle(PROXY_TARGETS).length;
const format = (n: number, digits = 0) => n.toFixed(digits).padStart(10);
const isStaticBackend = (name: string): name is StaticBackend => (STATIC_BACKENDS as readonly string[]).includes(name);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'bench-results.json' },
      duration: { type: 'string', default: '3' },
      rounds: { type: 'string', default: String(CYCLE) },
      backend: { type: 'string', default: 'node' },
    },
  });
  const seconds = Number(values.duration);
  const rounds = Number(values.rounds);
  const backend = values.backend;
  if (!(seconds > 0 && seconds <= 60)) throw new Error('--duration must be 1..60 seconds');
  if (!(Number.isInteger(rounds) && rounds >= CYCLE && rounds <= 3 * CYCLE && rounds % CYCLE === 0)) {
    throw new Error(`--rounds must be ${CYCLE}, ${2 * CYCLE} or ${3 * CYCLE} (whole cycles of the balanced order)`);
  }
  if (!isStaticBackend(backend)) throw new Error(`--backend must be one of ${STATIC_BACKENDS.join(', ')}`);

  const { path, rows, summary } = await withSetup(staticBackendSetup(backend), async (urls) => ({
    path: new URL(urls.direct).pathname,
    ...(await compareProxies(urls, { seconds, rounds })),
  }));
  const c1 = summary[0]!;
  const targetsMet = {
    throughputAtLeast90PercentOfBareProxy: summary.every(
      (s) => s.throughputVsBareProxy >= GATEWAY_TARGETS.minThroughputVsBareProxy,
    ),
    p50AtC1AtMost120PercentOfBareProxy: c1.p50VsBareProxy <= GATEWAY_TARGETS.maxP50VsBareProxyAtC1,
  };

  process.stdout.write(`\nbackend: ${backend}, GET ${path}, median of ${rounds} interleaved ${seconds}s runs\n\n`);
  process.stdout.write(
    `${'target'.padEnd(12)}${'conns'.padStart(6)}${'req/s'.padStart(10)}${'p50 µs'.padStart(10)}${'p99 µs'.padStart(10)}${'errors'.padStart(10)}\n`,
  );
  for (const r of rows) {
    process.stdout.write(
      `${r.target.padEnd(12)}${String(r.connections).padStart(6)}${format(r.requestsPerSecond)}${format(r.p50Micros)}${format(r.p99Micros)}${format(r.errors)}\n`,
    );
  }
  process.stdout.write('\n');
  for (const s of summary) {
    process.stdout.write(
      `c=${s.connections}: gateway/bare ${s.throughputVsBareProxy.toFixed(3)}, gateway/direct ${s.throughputVsDirect.toFixed(3)}, ` +
        `p50 gateway/bare ${s.p50VsBareProxy.toFixed(3)}, p50 added vs direct ${s.p50AddedVsDirectMicros.toFixed(0)} µs, vs bare proxy ${s.p50AddedVsBareProxyMicros.toFixed(0)} µs\n`,
    );
  }
  process.stdout.write(`targets: ${JSON.stringify(targetsMet)}\n`);
  writeFileSync(
    values.out,
    `${JSON.stringify({ backend, seconds, rounds, path, rows, summary, targetsMet }, null, 2)}\n`,
  );
  process.stdout.write(`wrote ${values.out}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
