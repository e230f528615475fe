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
  type Summary,
} from '../../apps/books-reverse-proxy/bench/compare';
import { staticBackendSetup, withSetup } from '../../apps/books-reverse-proxy/bench/setups';
import { booksReplicaSetup } from '../lib/books-replica';
import { ratio, rps, us, type Check, type SectionResult } from '../lib/report';
import {
  describeInterval,
  describePlan,
  judge,
  lookConfidence,
  medianInterval,
  moreRounds,
  type RoundPlan,
} from '../lib/verdict';

const BACKENDS = ['books', 'node', 'nginx'] as const;
export type GatewayBackend = (typeof BACKENDS)[number];
export type GatewayTarget = ProxyTarget;
const SECONDS = 3;
/**
 * 12 rounds, then 12 more per connection level and backend while one of its verdicts is undecided, up to 48 (4 looks,
 * each at 97.5 %: the 2nd–11th of 12, 7th–18th of 24, 11th–26th of 36, 16th–33rd of 48; bench/lib/verdict.ts): only
 * a level still undecided pays for more. Every look falls on whole cycles of the balanced order (6 rounds for three
 * targets, compare.ts). At σ 0.11–0.15 per round (2026-12-02) every level ran 39–52 rounds and ratios within ~0.05 of
 * 0.90 stayed undecided (bench/README.md, "How many rounds").
 */
export const GATEWAY_PLAN: RoundPlan = { first: 12, step: 12, looks: 4 };
const PLAN = GATEWAY_PLAN;
const CONFIDENCE = lookConfidence(PLAN);

/** One backend's comparison. */
export interface GatewayBenchReport extends ProxyComparison {
  backend: GatewayBackend;
  seconds: number;
  plan: RoundPlan;
  path: string;
}

export type GatewayNumbers = Record<GatewayBackend, GatewayBenchReport>;

async function measure(backend: GatewayBackend): Promise<GatewayBenchReport> {
  const setup = backend === 'books' ? booksReplicaSetup : staticBackendSetup(backend);
  return withSetup(setup, async (urls) => ({
    backend,
    seconds: SECONDS,
    plan: PLAN,
    path: new URL(urls.direct).pathname.replace(/[^/]+$/, ':id'),
    ...(await compareProxies(urls, {
      seconds: SECONDS,
      rounds: PLAN.first,
      moreRounds: (summary) =>
        moreRounds(
          PLAN,
          summary.throughputVsBareProxyRounds.length,
          checksFor(backend, summary).every((check) => check.verdict !== 'not decided'),
        ),
    })),
  }));
}

const times = (value: number): string => `${value.toFixed(2)}×`;

/** The targets judged on one connection level's rounds (also after each look, to decide whether to run more). */
function checksFor(backend: GatewayBackend, summary: Summary): Check[] {
  const throughput = medianInterval(summary.throughputVsBareProxyRounds, CONFIDENCE);
  const p50VsBare = medianInterval(summary.p50VsBareProxyRounds, CONFIDENCE);
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
            name: `gateway p50 vs bare nginx, c=1, ${backend} backend`,
            target: `≤ ${times(GATEWAY_TARGETS.maxP50VsBareProxyAtC1)}`,
            measured:
              `${describeInterval(p50VsBare, times)} (added vs direct: gateway ${us(summary.p50AddedVsDirectMicros)}, ` +
              `bare nginx alone ${us(summary.bareProxyP50AddedVsDirectMicros)})`,
            verdict: judge(p50VsBare, { atMost: GATEWAY_TARGETS.maxP50VsBareProxyAtC1 }),
          },
        ]
      : []),
  ];
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
      `wrk 4.1 at nice 10 (the servers have first claim on the shared vCPUs), a browser-like GET (accept, user-agent, accept-language), interleaved ${SECONDS} s runs per ` +
      `target in an order balanced for carryover (each target runs after each other target equally often: a run is ` +
      `swayed by the one before it; apps/books-reverse-proxy/bench/compare.ts), after two unmeasured runs of each (a fresh ` +
      `setup speeds up over its first ~20 s), ${describePlan(PLAN)} — the rounds a ` +
      'level ran are in its verdicts: each row is the median run; the verdicts ' +
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
    checks: BACKENDS.flatMap((backend) => numbers[backend].summary.flatMap((summary) => checksFor(backend, summary))),
    data: numbers,
  };
}
