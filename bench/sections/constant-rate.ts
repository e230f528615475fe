// Tail latency at a constant rate, at half the gateway's maximum, in two setups:
//  - "proxy cost": a static nginx backend (never the bottleneck) reached directly, through a bare keepalive nginx
//    and through our gateway (the gateway engineer's startLocalGateway, every feature on, limits lifted);
//  - "end to end": the real platform — one books replica with PostgreSQL behind it — the same three ways.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localGatewayOptions, startLocalGateway } from '../../apps/books-reverse-proxy/src/local';
import { writeTestKeys } from '../../apps/books-reverse-proxy/test/keys';
import type { Platform } from '../../scripts/dev/platform';
import { startBareNginx } from '../lib/bare-nginx';
import { startLoadPlatform } from '../lib/platform';
import { rps, us, type Check, type SectionResult, type Table } from '../lib/report';
import { runWrk, type WrkResult } from '../lib/wrk';

const TARGETS = ['direct', 'bare nginx', 'gateway'] as const;
export type PacedTarget = (typeof TARGETS)[number];
const MAX_RUNS = 3;
const MAX_SECONDS = 5;
const PACED_SECONDS = 10;
const CONNECTIONS = 32;
/** A browser-like GET: the gateway adds request ids, security headers and a JSON access log line. */
const HEADERS = { accept: 'application/json', 'user-agent': 'books-bench/1', 'accept-language': 'en' };
const STATIC_BOOK =
  '{"id":"00000000-0000-4000-8000-000000000001","title":"The Dispossessed","author":"Ursula K. Le Guin","year":1974}';
const LIFTED_LIMITS = { requestsPerSecond: 1_000_000, burst: 1_000_000, connectionsPerClient: 10_000 };

export interface PacedComparison {
  /** The gateway's closed-loop c=32 throughput (median run) that the rate is half of. */
  gatewayMax: WrkResult;
  ratePerSecond: number;
  results: Record<PacedTarget, WrkResult>;
}

export interface ConstantRateNumbers {
  proxyCost: PacedComparison;
  endToEnd: PacedComparison;
}

type Cleanup = () => Promise<void>;

async function pacedComparison(urls: Record<PacedTarget, string>): Promise<PacedComparison> {
  const closed = { connections: CONNECTIONS, threads: 2, headers: HEADERS };
  for (const target of TARGETS) await runWrk({ ...closed, url: urls[target], durationSeconds: 2 }); // warm-up
  const maxRuns: WrkResult[] = [];
  for (let run = 0; run < MAX_RUNS; run++) {
    maxRuns.push(await runWrk({ ...closed, url: urls.gateway, durationSeconds: MAX_SECONDS }));
  }
  const gatewayMax = [...maxRuns].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(MAX_RUNS / 2)];
  const ratePerSecond = Math.floor(gatewayMax.requestsPerSecond / 2);
  const results = {} as Record<PacedTarget, WrkResult>;
  for (const target of TARGETS) {
    results[target] = await runWrk({ ...closed, url: urls[target], durationSeconds: PACED_SECONDS, ratePerSecond });
  }
  return { gatewayMax, ratePerSecond, results };
}

/** Runs `measure` against the URLs `setup` provides, then undoes every step of the setup, even on failure. */
async function withSetup<T>(
  setup: (cleanups: Cleanup[]) => Promise<Record<PacedTarget, string>>,
  measure: (urls: Record<PacedTarget, string>) => Promise<T>,
): Promise<T> {
  const cleanups: Cleanup[] = [];
  try {
    return await measure(await setup(cleanups));
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

async function proxyCostSetup(cleanups: Cleanup[]): Promise<Record<PacedTarget, string>> {
  const backend = await startBareNginx({ staticJson: STATIC_BOOK });
  cleanups.push(backend.stop);
  const backendAddress = backend.url.replace('http://', '');
  const bare = await startBareNginx({ proxyTo: backendAddress });
  cleanups.push(bare.stop);
  const dir = mkdtempSync(join(tmpdir(), 'books-bench-gateway-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const keyFiles = writeTestKeys(join(dir, 'keys'));
  const options = await localGatewayOptions({
    dir: join(dir, 'gateway'),
    addresses: { books: [backendAddress], web: [backendAddress] },
    hs256KeyFile: keyFiles.hs256File,
    rs256PublicKeyFile: keyFiles.rsaPublicFile,
    metrics: true,
  });
  const gateway = await startLocalGateway({
    options: { ...options, limits: { ...options.limits, ...LIFTED_LIMITS } },
    accessLog: 'discard',
  });
  cleanups.push(gateway.stop);
  return { direct: `${backend.url}/books/1`, 'bare nginx': `${bare.url}/books/1`, gateway: `${gateway.url}/books/1` };
}

async function endToEndSetup(cleanups: Cleanup[]): Promise<Record<PacedTarget, string>> {
  const platform: Platform = await startLoadPlatform('bench', { replicas: { books: 1, booksReact: 1 } });
  cleanups.push(platform.stop);
  const created = await fetch(`${platform.url}/books`, {
    method: 'POST',
    headers: { authorization: `Bearer ${platform.writeToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Benchmark', author: 'Bench', year: 2026 }),
  });
  if (created.status !== 201) throw new Error(`seeding the bench book: ${created.status} ${await created.text()}`);
  const path = `/books/${((await created.json()) as { id: string }).id}`;
  const replica = platform.books[0];
  const bare = await startBareNginx({ proxyTo: `127.0.0.1:${replica.port}` });
  cleanups.push(bare.stop);
  return { direct: replica.url + path, 'bare nginx': bare.url + path, gateway: platform.url + path };
}

function table(setup: string, comparison: PacedComparison): Table['rows'] {
  return TARGETS.map((target) => {
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
    measured: `${us(gateway.latencyUs.p99)} (late sends ${gateway.lateSends}, errors ${gateway.errors})`,
    ok: gateway.latencyUs.p99 <= 1000 && gateway.errors === 0,
  };
}

export async function constantRateSection(): Promise<SectionResult> {
  const numbers: ConstantRateNumbers = {
    proxyCost: await withSetup(proxyCostSetup, pacedComparison),
    endToEnd: await withSetup(endToEndSetup, pacedComparison),
  };
  return {
    title: 'Constant rate: p99 at half the gateway’s maximum',
    method:
      'Two setups, each reached directly, through a bare keepalive nginx (bench/lib/bare-nginx.ts) and through the ' +
      'gateway (limits lifted): "proxy cost" = a static nginx JSON backend (never the bottleneck) behind the gateway ' +
      'as startLocalGateway runs it (apps/books-reverse-proxy/src/local.ts, every feature on); "end to end" = the ' +
      'platform (startPlatform) with one books replica reading one row from PostgreSQL. Maximum: the gateway’s ' +
      `closed-loop throughput at c=${CONNECTIONS} (wrk, median of ${MAX_RUNS} × ${MAX_SECONDS} s). Then each path for ` +
      `${PACED_SECONDS} s at half that rate with wrk + a Lua pacing script (wrk2 is not in Debian): each thread keeps ` +
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
