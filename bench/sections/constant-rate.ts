// Tail latency at a constant rate, at half the gateway's maximum, in two setups:
//  - "proxy cost": a static nginx backend (never the bottleneck) reached directly, through a bare keepalive nginx
//    and through our gateway (the gateway engineer's startLocalGateway, every feature on, limits lifted);
//  - "end to end": the real platform — one books replica with PostgreSQL behind it — the same three ways.
// Every path runs with both pacers (wrk.ts): the verdict uses wrk's millisecond timers (wrk2's sending pattern);
// the evenly spaced runs show whether that burstiness, rather than the servers, decides the tail.
import {
  BROWSER_HEADERS,
  GATEWAY_TARGETS,
  balancedOrder,
  medianBy,
  PROXY_TARGETS,
  runRounds,
  type ProxyTarget,
} from '../../apps/books-reverse-proxy/bench/compare';
import { staticBackendSetup, withSetup, type TargetUrls } from '../../apps/books-reverse-proxy/bench/setups';
import { PACERS, runWrk, type Pacer, type WrkResult } from '../../apps/books-reverse-proxy/bench/wrk';
import { booksReplicaSetup } from '../lib/books-replica';
import { rps, us, type Check, type SectionResult, type Table } from '../lib/report';
import {
  describeInterval,
  describePlan,
  judge,
  lookConfidence,
  medianInterval,
  moreRounds,
  type RoundPlan,
  type Verdict,
} from '../lib/verdict';

const MAX_RUNS = 3;
const MAX_SECONDS = 5;
/**
 * Paced rounds: 12, judged at 95 % (the 3rd–10th of the paired per-round p99 ratios), so two stray rounds at either
 * end cannot undecide a target; 12 more if it is still undecided (2 looks, bench/lib/verdict.ts; both on whole cycles
 * of the balanced order, compare.ts). 9 rounds left the end-to-end target undecided in the 2026-12-02 10:11 run
 * (1.19× [1.01–1.51]): the books replica's tail swings from one 5 s run to the next.
 */
export const CONSTANT_RATE_PLAN: RoundPlan = { first: 12, step: 12, looks: 2 };
const PLAN = CONSTANT_RATE_PLAN;
const CONFIDENCE = lookConfidence(PLAN);
const PACED_SECONDS = 5;
const CONNECTIONS = 32;

export interface PacedComparison {
  /** The gateway's closed-loop c=32 throughput (median run) that the rate is half of. */
  gatewayMax: WrkResult;
  ratePerSecond: number;
  /** Per pacer and path, one run per round (each round runs every path, in its balanced order, with both pacers). */
  rounds: Record<Pacer, Record<ProxyTarget, WrkResult[]>>;
}

const SETUPS = { proxyCost: 'proxy cost, static backend', endToEnd: 'end to end, books + PostgreSQL' } as const;

export interface ConstantRateNumbers {
  proxyCost: PacedComparison;
  endToEnd: PacedComparison;
}

/** The run with the median p99 among a path's rounds: the row shown, the verdict's number and the chart's bar. */
export function medianP99Run(comparison: PacedComparison, pacer: Pacer, target: ProxyTarget): WrkResult {
  return medianBy(comparison.rounds[pacer][target], (run) => run.latencyUs.p99);
}

/** Paced rounds until `decided` says the target is decided or the plan is spent. */
async function pacedComparison(
  urls: TargetUrls,
  decided: (comparison: PacedComparison) => boolean,
): Promise<PacedComparison> {
  const closed = { connections: CONNECTIONS, threads: 2, headers: BROWSER_HEADERS };
  for (const target of PROXY_TARGETS) await runWrk({ ...closed, url: urls[target], durationSeconds: 2 }); // warm-up
  const maxRuns: WrkResult[] = [];
  for (let run = 0; run < MAX_RUNS; run++) {
    maxRuns.push(await runWrk({ ...closed, url: urls.gateway, durationSeconds: MAX_SECONDS }));
  }
  const gatewayMax = medianBy(maxRuns, (run) => run.requestsPerSecond);
  const ratePerSecond = Math.floor(gatewayMax.requestsPerSecond / 2);
  const threadsFor: Record<Pacer, number> = { 'wrk-timers': closed.threads, nanosleep: CONNECTIONS };
  const rounds = {} as PacedComparison['rounds'];
  for (const pacer of PACERS) rounds[pacer] = { direct: [], 'bare-proxy': [], gateway: [] };
  const comparison = { gatewayMax, ratePerSecond, rounds };
  await runRounds(
    PLAN.first,
    (done) => moreRounds(PLAN, done, decided(comparison)),
    async (round) => {
      for (const target of balancedOrder(PROXY_TARGETS, round)) {
        for (const pacer of PACERS) {
          rounds[pacer][target].push(
            await runWrk({
              ...closed,
              threads: threadsFor[pacer],
              url: urls[target],
              durationSeconds: PACED_SECONDS,
              ratePerSecond,
              pacer,
            }),
          );
        }
      }
    },
  );
  return comparison;
}

const errorsOf = (runs: WrkResult[]): number => runs.reduce((sum, run) => sum + run.errors, 0);

function p99Range(runs: WrkResult[]): string {
  const p99s = runs.map((run) => run.latencyUs.p99);
  return `${us(Math.min(...p99s))}–${us(Math.max(...p99s))}`;
}

function table(setup: string, comparison: PacedComparison): Table['rows'] {
  return PACERS.flatMap((pacer) =>
    PROXY_TARGETS.map((target) => {
      const result = medianP99Run(comparison, pacer, target);
      return [
        setup,
        pacer,
        target,
        String(comparison.ratePerSecond),
        rps(result.requestsPerSecond),
        us(result.latencyUs.p50),
        us(result.latencyUs.p99),
        p99Range(comparison.rounds[pacer][target]),
        us(result.latencyUs.max),
        String(result.lateSends),
        result.wakeups ? `${result.wakeups.laterThan100Us} (max ${us(result.wakeups.maxLagUs)})` : '—',
        String(errorsOf(comparison.rounds[pacer][target])),
      ];
    }),
  );
}

/** The gateway's p99 over the bare keepalive nginx's, round by round (the two ran seconds apart in each round). */
export function pairedP99Ratios(comparison: PacedComparison, pacer: Pacer): number[] {
  const bare = comparison.rounds[pacer]['bare-proxy'];
  return comparison.rounds[pacer].gateway.map((gateway, i) => gateway.latencyUs.p99 / bare[i]!.latencyUs.p99);
}

const times = (value: number): string => `${value.toFixed(2)}×`;

/** Issue #16 target 1: any error in any round is a miss, whatever the latencies. */
function check(setup: string, comparison: PacedComparison): Check {
  const p99 = (pacer: Pacer, target: ProxyTarget): string => us(medianP99Run(comparison, pacer, target).latencyUs.p99);
  const errors = PACERS.reduce(
    (sum, pacer) => sum + errorsOf(comparison.rounds[pacer].gateway) + errorsOf(comparison.rounds[pacer]['bare-proxy']),
    0,
  );
  const vsBare = medianInterval(pairedP99Ratios(comparison, 'wrk-timers'), CONFIDENCE);
  const verdict: Verdict =
    errors > 0 ? 'not met' : judge(vsBare, { atMost: GATEWAY_TARGETS.maxP99VsBareProxyAtHalfMax });
  return {
    name: `gateway p99 vs bare keepalive nginx at ${comparison.ratePerSecond} req/s = half the gateway's ${rps(comparison.gatewayMax.requestsPerSecond)} max (${setup})`,
    target: `≤ ${times(GATEWAY_TARGETS.maxP99VsBareProxyAtHalfMax)}, errors 0`,
    measured:
      `${describeInterval(vsBare, times)} (median rounds: gateway ${p99('wrk-timers', 'gateway')}, bare nginx ` +
      `${p99('wrk-timers', 'bare-proxy')}, direct ${p99('wrk-timers', 'direct')}; evenly spaced: gateway/bare ` +
      `${describeInterval(medianInterval(pairedP99Ratios(comparison, 'nanosleep'), CONFIDENCE), times)}; gateway + bare errors ${errors})`,
    verdict,
  };
}

export async function constantRateSection(): Promise<SectionResult> {
  const measured = (setup: string) => (urls: TargetUrls) =>
    pacedComparison(urls, (comparison) => check(setup, comparison).verdict !== 'not decided');
  const numbers: ConstantRateNumbers = {
    proxyCost: await withSetup(staticBackendSetup('nginx'), measured(SETUPS.proxyCost)),
    endToEnd: await withSetup(booksReplicaSetup, measured(SETUPS.endToEnd)),
  };
  return {
    title: 'Constant rate: p99 at half the gateway’s maximum, against a bare keepalive nginx',
    method:
      'Two setups, each reached directly, through a bare keepalive nginx and through the ' +
      'gateway (limits lifted): "proxy cost" = a static nginx JSON backend (never the bottleneck) behind the gateway ' +
      'as startLocalGateway runs it (apps/books-reverse-proxy/bench/setups.ts, every feature on); "end to end" = the ' +
      'platform (startPlatform) with one books replica reading one row from PostgreSQL. Maximum: the gateway’s ' +
      `closed-loop throughput at c=${CONNECTIONS} (wrk, median of ${MAX_RUNS} × ${MAX_SECONDS} s). Then every path at ` +
      `half that rate with wrk (nice 10, like every wrk run here) + a Lua pacing script (wrk2 is not in Debian), ` +
      `${describePlan(PLAN)}, each round running every path (in an order balanced for carryover: each path after each other equally often) ${PACED_SECONDS} s with each pacer; a row is the path's round with the ` +
      'median p99 (all rounds’ p99s beside it; errors over all rounds). The verdict: the gateway’s p99 over the bare ' +
      'nginx’s, paired round by round, its median and an order-statistic interval (bench/lib/verdict.ts). ' +
      '"wrk-timers" (the verdict’s pacer) waits with wrk’s ' +
      'millisecond timers, so requests leave in per-millisecond ' +
      `bursts, as with wrk2; "nanosleep" runs ${CONNECTIONS} threads of one connection, each sleeping to its slot, so ` +
      'requests leave evenly spaced. Each keeps an absolute schedule, so the offered rate holds whatever the latency; ' +
      'latency from the actual send; "late sends" = requests sent behind their slot (0 = no hidden queueing); "late ' +
      'wake-ups" = evenly spaced sends that left > 100 µs after their slot because the sleeping thread got the CPU late.',
    tables: [
      {
        columns: [
          'setup',
          'pacer',
          'target',
          'offered req/s',
          'achieved req/s',
          'p50',
          'p99',
          'p99 of the rounds',
          'max',
          'late sends',
          'late wake-ups',
          'errors (all rounds)',
        ],
        rows: [...table('proxy cost', numbers.proxyCost), ...table('end to end', numbers.endToEnd)],
      },
    ],
    checks: [check(SETUPS.proxyCost, numbers.proxyCost), check(SETUPS.endToEnd, numbers.endToEnd)],
    data: numbers,
  };
}
