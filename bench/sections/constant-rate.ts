// Gateway cost: direct to one books replica vs a bare keepalive nginx vs our gateway, all in front of the same
// single replica, closed loop at c=1 and c=32 (wrk), then a constant rate at half the gateway's maximum.
import type { Platform } from '../../scripts/dev/platform';
import { startBareProxy, type BareProxy } from '../lib/bare-nginx';
import { startLoadPlatform } from '../lib/platform';
import { ratio, rps, us, type Check, type SectionResult } from '../lib/report';
import { runWrk, type WrkResult } from '../lib/wrk';

const TARGETS = ['direct', 'bare nginx', 'gateway'] as const;
type Target = (typeof TARGETS)[number];
const CONCURRENCY = [1, 32] as const;
const REPETITIONS = 3;
const RUN_SECONDS = 5;
const PACED_SECONDS = 10;
/** A browser-like GET: the gateway adds request ids, security headers and a JSON access log line. */
const HEADERS = { accept: 'application/json', 'user-agent': 'books-bench/1', 'accept-language': 'en' };

export interface GatewayNumbers {
  closedLoop: Record<Target, Record<number, WrkResult>>;
  constantRate: { ratePerSecond: number; results: Record<Target, WrkResult> };
}

/** The run with the median throughput of the repetitions (its latencies belong to the same run). */
function median(results: WrkResult[]): WrkResult {
  return [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(results.length / 2)];
}

async function measure(urls: Record<Target, string>): Promise<GatewayNumbers> {
  for (const target of TARGETS)
    await runWrk({ url: urls[target], connections: 8, threads: 1, durationSeconds: 2, headers: HEADERS });
  const closedLoop = {} as Record<Target, Record<number, WrkResult>>;
  for (const target of TARGETS) closedLoop[target] = {};
  for (const connections of CONCURRENCY) {
    const runs: Record<Target, WrkResult[]> = { direct: [], 'bare nginx': [], gateway: [] };
    for (let repetition = 0; repetition < REPETITIONS; repetition++) {
      // Rotate the order so drifting background load does not always favour the same target.
      const order = TARGETS.map((_, i) => TARGETS[(i + repetition) % TARGETS.length]);
      for (const target of order) {
        runs[target].push(
          await runWrk({
            url: urls[target],
            connections,
            threads: connections === 1 ? 1 : 2,
            durationSeconds: RUN_SECONDS,
            headers: HEADERS,
          }),
        );
      }
    }
    for (const target of TARGETS) closedLoop[target][connections] = median(runs[target]);
  }
  const ratePerSecond = Math.floor(closedLoop.gateway[32].requestsPerSecond / 2);
  const results = {} as Record<Target, WrkResult>;
  for (const target of TARGETS) {
    results[target] = await runWrk({
      url: urls[target],
      connections: 32,
      threads: 2,
      durationSeconds: PACED_SECONDS,
      headers: HEADERS,
      ratePerSecond,
    });
  }
  return { closedLoop, constantRate: { ratePerSecond, results } };
}

function checks(numbers: GatewayNumbers): Check[] {
  const { closedLoop: loop, constantRate } = numbers;
  const throughput = (connections: number): Check => {
    const share = loop.gateway[connections].requestsPerSecond / loop['bare nginx'][connections].requestsPerSecond;
    return {
      name: `gateway throughput vs bare nginx, c=${connections}`,
      target: '≥ 0.90×',
      measured: `${share.toFixed(2)}×`,
      ok: share >= 0.9,
    };
  };
  const addedP50 = loop.gateway[1].latencyUs.p50 - loop.direct[1].latencyUs.p50;
  const pacedP99 = constantRate.results.gateway.latencyUs.p99;
  return [
    throughput(1),
    throughput(32),
    { name: 'gateway p50 added vs direct, c=1', target: '≤ 50 µs', measured: us(addedP50), ok: addedP50 <= 50 },
    {
      name: `gateway p99 at ${constantRate.ratePerSecond} req/s (half its max)`,
      target: '≤ 1 ms',
      measured: `${us(pacedP99)} (late sends ${constantRate.results.gateway.lateSends})`,
      ok: pacedP99 <= 1000,
    },
  ];
}

export async function gatewaySection(): Promise<SectionResult> {
  let platform: Platform | undefined;
  let bare: BareProxy | undefined;
  try {
    platform = await startLoadPlatform('bench', { replicas: { books: 1, booksReact: 1 } });
    const created = await fetch(`${platform.url}/books`, {
      method: 'POST',
      headers: { authorization: `Bearer ${platform.writeToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Benchmark', author: 'Bench', year: 2026, isbn: null }),
    });
    if (created.status !== 201) throw new Error(`seeding the bench book: ${created.status} ${await created.text()}`);
    const path = `/books/${((await created.json()) as { id: string }).id}`;
    const replica = platform.books[0];
    bare = await startBareProxy(`127.0.0.1:${replica.port}`);
    const numbers = await measure({
      direct: replica.url + path,
      'bare nginx': bare.url + path,
      gateway: platform.url + path,
    });

    const loop = numbers.closedLoop;
    const closedRows = CONCURRENCY.flatMap((connections) =>
      TARGETS.map((target) => {
        const result = loop[target][connections];
        return [
          `c=${connections}`,
          target,
          rps(result.requestsPerSecond),
          ratio(result.requestsPerSecond, loop['bare nginx'][connections].requestsPerSecond),
          us(result.latencyUs.p50),
          us(result.latencyUs.p50 - loop.direct[connections].latencyUs.p50),
          us(result.latencyUs.p99),
          String(result.errors),
        ];
      }),
    );
    const paced = numbers.constantRate;
    const pacedRows = TARGETS.map((target) => {
      const result = paced.results[target];
      return [
        target,
        String(paced.ratePerSecond),
        rps(result.requestsPerSecond),
        us(result.latencyUs.p50),
        us(result.latencyUs.p99),
        us(result.latencyUs.max),
        String(result.lateSends),
        String(result.errors),
      ];
    });
    return {
      title: 'Gateway: direct vs bare keepalive nginx vs our gateway',
      method:
        `GET ${path.replace(/[0-9a-f-]{36}/, ':id')} (one book, read from PostgreSQL) on one books replica; bare nginx and the gateway ` +
        `(1 worker each, JSON access log, request ids, security headers, limits lifted) proxy to that same replica. ` +
        `wrk 4.1, ${RUN_SECONDS} s per run, median of ${REPETITIONS} runs in rotating order. Constant rate: wrk with a Lua ` +
        `pacing script (absolute per-thread schedule, ms timer granularity, 32 connections, ${PACED_SECONDS} s) at half ` +
        `the gateway's c=32 throughput; latency from the actual send, "late" counts sends behind schedule.`,
      tables: [
        {
          columns: ['load', 'target', 'req/s', 'vs bare', 'p50', 'p50 added vs direct', 'p99', 'errors'],
          rows: closedRows,
        },
        {
          columns: ['target', 'offered req/s', 'achieved req/s', 'p50', 'p99', 'max', 'late sends', 'errors'],
          rows: pacedRows,
        },
      ],
      checks: checks(numbers),
      data: numbers,
    };
  } finally {
    await bare?.stop();
    await platform?.stop();
  }
}
