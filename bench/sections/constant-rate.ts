// Tail latency at a constant rate, at half the gateway's maximum, in two setups:
//  - "proxy cost": a static nginx backend (never the bottleneck) reached directly, through a bare keepalive nginx
//    and through our gateway (the gateway engineer's startLocalGateway, every feature on, limits lifted);
//  - "end to end": the real platform — one books replica with PostgreSQL behind it — the same three ways.
import { BROWSER_HEADERS, PROXY_TARGETS, type ProxyTarget } from '../../apps/books-reverse-proxy/bench/compare';
import { staticBackendSetup, withSetup, type TargetUrls } from '../../apps/books-reverse-proxy/bench/setups';
import { runWrk, type WrkResult } from '../../apps/books-reverse-proxy/bench/wrk';
import { booksReplicaSetup } from '../lib/books-replica';
import { rps, us, type Check, type SectionResult, type Table } from '../lib/report';

const MAX_RUNS = 3;
const MAX_SECONDS = 5;
const PACED_SECONDS = 10;
const CONNECTIONS = 32;

export interface PacedComparison {
  /** The gateway's closed-loop c=32 throughput (median run) that the rate is half of. */
  gatewayMax: WrkResult;
  ratePerSecond: number;
  results: Record<ProxyTarget, WrkResult>;
}

export interface ConstantRateNumbers {
  proxyCost: PacedComparison;
  endToEnd: PacedComparison;
}

async function pacedComparison(urls: TargetUrls): Promise<PacedComparison> {
  const closed = { connections: CONNECTIONS, threads: 2, headers: BROWSER_HEADERS };
  for (const target of PROXY_TARGETS) await runWrk({ ...closed, url: urls[target], durationSeconds: 2 }); // warm-up
  const maxRuns: WrkResult[] = [];
  for (let run = 0; run < MAX_RUNS; run++) {
    maxRuns.push(await runWrk({ ...closed, url: urls.gateway, durationSeconds: MAX_SECONDS }));
  }
  const gatewayMax = [...maxRuns].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(MAX_RUNS / 2)];
  const ratePerSecond = Math.floor(gatewayMax.requestsPerSecond / 2);
  const results = {} as Record<ProxyTarget, WrkResult>;
  for (const target of PROXY_TARGETS) {
    results[target] = await runWrk({ ...closed, url: urls[target], durationSeconds: PACED_SECONDS, ratePerSecond });
  }
  return { gatewayMax, ratePerSecond, results };
}

function table(setup: string, comparison: PacedComparison): Table['rows'] {
  return PROXY_TARGETS.map((target) => {
    const result = comparison.results[target];
    return [
      setup,
      target,
      String(comparison.ratePerSecond),
      rps(result.requestsPerSecond),
      us(result.latencyUs.p50),
      us(result.latencyUs.p99),
      us(result.latencyUs.max),
      String(result.lateSends),
      String(result.errors),
    ];
  });
}

function check(setup: string, comparison: PacedComparison): Check {
  const gateway = comparison.results.gateway;
  return {
    name: `gateway p99 at ${comparison.ratePerSecond} req/s = half its ${rps(comparison.gatewayMax.requestsPerSecond)} max (${setup})`,
    target: '≤ 1 ms',
    measured:
      `${us(gateway.latencyUs.p99)} (bare nginx alone: ${us(comparison.results['bare-proxy'].latencyUs.p99)}; ` +
      `late sends ${gateway.lateSends}, errors ${gateway.errors})`,
    ok: gateway.latencyUs.p99 <= 1000 && gateway.errors === 0,
  };
}

export async function constantRateSection(): Promise<SectionResult> {
  const numbers: ConstantRateNumbers = {
    proxyCost: await withSetup(staticBackendSetup('nginx'), pacedComparison),
    endToEnd: await withSetup(booksReplicaSetup, pacedComparison),
  };
  return {
    title: 'Constant rate: p99 at half the gateway’s maximum',
    method:
      'Two setups, each reached directly, through a bare keepalive nginx and through the ' +
      'gateway (limits lifted): "proxy cost" = a static nginx JSON backend (never the bottleneck) behind the gateway ' +
      'as startLocalGateway runs it (apps/books-reverse-proxy/bench/setups.ts, every feature on); "end to end" = the ' +
      'platform (startPlatform) with one books replica reading one row from PostgreSQL. Maximum: the gateway’s ' +
      `closed-loop throughput at c=${CONNECTIONS} (wrk, median of ${MAX_RUNS} × ${MAX_SECONDS} s). Then each path for ` +
      `${PACED_SECONDS} s at half that rate with wrk (nice 10, like every wrk run here) + a Lua pacing script (wrk2 is not in Debian): each thread keeps ` +
      'an absolute schedule, so the offered rate holds whatever the latency; ms timer granularity; latency from the ' +
      'actual send; "late" counts requests sent behind their slot (0 = no hidden queueing).',
    tables: [
      {
        columns: ['setup', 'target', 'offered req/s', 'achieved req/s', 'p50', 'p99', 'max', 'late sends', 'errors'],
        rows: [...table('proxy cost', numbers.proxyCost), ...table('end to end', numbers.endToEnd)],
      },
    ],
    checks: [
      check('proxy cost, static backend', numbers.proxyCost),
      check('end to end, books + PostgreSQL', numbers.endToEnd),
    ],
    data: numbers,
  };
}
