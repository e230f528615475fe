// Gateway cost, closed loop: direct vs bare keepalive nginx vs our gateway, c=1 and c=32, measured the same way for
// three backends (apps/books-reverse-proxy/bench/compare.ts):
//  - books: a real books replica reading one row from PostgreSQL — the setup the targets are stated for;
//  - node: a node:http server, and nginx: nginx answering itself — never the bottleneck, so the ratios are the
//    proxies' own cost (stricter); the gateway engineer's setups (apps/books-reverse-proxy/bench/setups.ts).
import {
  compareProxies,
  GATEWAY_TARGETS,
  type ProxyComparison,
  type ProxyTarget,
} from '../../apps/books-reverse-proxy/bench/compare';
import { staticBackendSetup, withSetup } from '../../apps/books-reverse-proxy/bench/setups';
import { booksReplicaSetup } from '../lib/books-replica';
import { ratio, rps, us, type Check, type SectionResult } from '../lib/report';
import { describeInterval, judge, medianInterval } from '../lib/verdict';

const BACKENDS = ['books', 'node', 'nginx'] as const;
export type GatewayBackend = (typeof BACKENDS)[number];
export type GatewayTarget = ProxyTarget;
const SECONDS = 3;
/**
 * 13 rounds: the verdict's interval is then the 4th–10th of the paired per-round values (91 % for the median), so
 * three stray rounds at either end cannot undecide a target; its expected half-width is ~0.6 σ of a round, against
 * ~0.9 σ for 9 rounds' 2nd–8th (bench/README.md, "How many rounds").
 */
const ROUNDS = 13;

/** One backend's comparison. */
export interface GatewayBenchReport extends ProxyComparison {
  backend: GatewayBackend;
  seconds: number;
  rounds: number;
  path: string;
}

export type GatewayNumbers = Record<GatewayBackend, GatewayBenchReport>;

async function measure(backend: GatewayBackend): Promise<GatewayBenchReport> {
  const setup = backend === 'books' ? booksReplicaSetup : staticBackendSetup(backend);
  return withSetup(setup, async (urls) => ({
    backend,
    seconds: SECONDS,
    rounds: ROUNDS,
    path: new URL(urls.direct).pathname.replace(/[^/]+$/, ':id'),
    ...(await compareProxies(urls, { seconds: SECONDS, rounds: ROUNDS })),
  }));
}

const times = (value: number): string => `${value.toFixed(2)}×`;

function checksFor(backend: GatewayBackend, report: GatewayBenchReport): Check[] {
  return report.summary.flatMap((summary) => {
    const throughput = medianInterval(summary.throughputVsBareProxyRounds);
    const p50Added = medianInterval(summary.p50AddedVsDirectMicrosRounds);
    return [
      {
        name: `gateway throughput vs bare nginx, c=${summary.connections}, ${backend} backend`,
        target: `≥ ${times(GATEWAY_TARGETS.minThroughputVsBareProxy)}`,
        measured: describeInterval(throughput, times),
        verdict: judge(throughput, { atLeast: GATEWAY_TARGETS.minThroughputVsBareProxy }),
      },
      ...(summary.connections === 1
        ? [
            {
              name: `gateway p50 added vs direct, c=1, ${backend} backend`,
              target: `≤ ${us(GATEWAY_TARGETS.maxP50AddedVsDirectMicrosAtC1)}`,
              measured: `${describeInterval(p50Added, us)} (bare nginx alone: ${us(summary.bareProxyP50AddedVsDirectMicros)})`,
              verdict: judge(p50Added, { atMost: GATEWAY_TARGETS.maxP50AddedVsDirectMicrosAtC1 }),
            },
          ]
        : []),
    ];
  });
}

export async function gatewaySection(): Promise<SectionResult> {
  const numbers = {} as GatewayNumbers;
  for (const backend of BACKENDS) numbers[backend] = await measure(backend);
  const rows = BACKENDS.flatMap((backend) =>
    numbers[backend].rows.map((row) => {
      const of = (target: GatewayTarget) =>
        numbers[backend].rows.find((r) => r.target === target && r.connections === row.connections)!;
      return [
        backend,
        `c=${row.connections}`,
        row.target,
        rps(row.requestsPerSecond),
        ratio(row.requestsPerSecond, of('bare-proxy').requestsPerSecond),
        us(row.p50Micros),
        us(row.p50Micros - of('direct').p50Micros),
        us(row.p99Micros),
        String(row.errors),
      ];
    }),
  );
  return {
    title: 'Gateway: direct vs bare keepalive nginx vs our gateway (closed loop)',
    method:
      `wrk 4.1 at nice 10 (the servers have first claim on the shared vCPUs), a browser-like GET (accept, user-agent, accept-language), ${ROUNDS} interleaved ${SECONDS} s runs per ` +
      'target in rotating order (apps/books-reverse-proxy/bench/compare.ts): each row is the median run; the verdicts ' +
      'judge per-round comparisons (the three targets of a round run seconds apart, so the machine’s slower and ' +
      'faster minutes cancel): their median and an order-statistic interval for it (bench/lib/verdict.ts) — met only ' +
      'when the whole interval clears the target, not decided when it straddles it. The gateway runs with every feature on ' +
      '(request ids, JSON access log — also the metrics’ source —, limits (lifted), security headers); the bare proxy ' +
      'has upstream keepalive only; both 1 worker. Backends: **books** = one real books replica reading one row from ' +
      `PostgreSQL (GET ${numbers.books.path}; startPlatform, embedded PostgreSQL) — the setup the targets are stated ` +
      'for; node = a node:http server answering a fixed body (also `npm run bench -w apps/books-reverse-proxy`); nginx = ' +
      'nginx answering itself, never the bottleneck, so its ratios are the proxies’ own cost (a stricter variant).',
    tables: [
      {
        columns: ['backend', 'load', 'target', 'req/s', 'vs bare', 'p50', 'p50 added vs direct', 'p99', 'errors'],
        rows,
      },
    ],
    checks: BACKENDS.flatMap((backend) => checksFor(backend, numbers[backend])),
    data: numbers,
  };
}
