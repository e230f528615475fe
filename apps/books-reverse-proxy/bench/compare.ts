// One comparison of three paths to the same backend — direct, a bare keepalive nginx, our gateway — with wrk, at
// c=1 and c=32. Used by this workspace's bench (node:http or nginx backend) and by the repository's `npm run bench`
// (a real books replica), so both publish numbers measured the same way.
//
// The machine is shared, so targets are measured interleaved, in a rotating order, for `rounds` rounds and each row
// reports the median round: a burst of foreign load then hits all three alike.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const PROXY_TARGETS = ['direct', 'bare-proxy', 'gateway'] as const;
export type ProxyTarget = (typeof PROXY_TARGETS)[number];
export const CONNECTION_LEVELS = [1, 32] as const;
/** A browser-like GET: the gateway adds request ids, security headers and a JSON access log line. */
export const BROWSER_HEADERS = { accept: 'application/json', 'user-agent': 'books-bench/1', 'accept-language': 'en' };

export interface WrkResult {
  readonly requestsPerSecond: number;
  readonly p50Micros: number;
  readonly p99Micros: number;
  readonly errors: number;
}

export interface Row extends WrkResult {
  readonly target: ProxyTarget;
  readonly connections: number;
}

const toMicros = (value: string, unit: string): number =>
  Number(value) * ({ us: 1, ms: 1_000, s: 1_000_000 } as Record<string, number>)[unit]!;

async function wrk(url: string, connections: number, seconds: number): Promise<WrkResult> {
  const threads = Math.min(connections, 2);
  const headerArgs = Object.entries(BROWSER_HEADERS).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
  const { stdout } = await execFileAsync(
    'wrk',
    [`-t${threads}`, `-c${connections}`, `-d${seconds}s`, '--latency', ...headerArgs, url],
    {
      timeout: (seconds + 30) * 1000,
    },
  );
  const latency = (percent: string): number => {
    const match = new RegExp(`^\\s+${percent}%\\s+([\\d.]+)(us|ms|s)\\s*$`, 'm').exec(stdout);
    if (!match) throw new Error(`no p${percent} in wrk output:\n${stdout}`);
    return toMicros(match[1]!, match[2]!);
  };
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(stdout);
  if (!rps) throw new Error(`no Requests/sec in wrk output:\n${stdout}`);
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(stdout);
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const errors =
    Number(non2xx?.[1] ?? 0) + (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0);
  return { requestsPerSecond: Number(rps[1]), p50Micros: latency('50'), p99Micros: latency('99'), errors };
}

/** The round with the median throughput (its latencies come with it, so a row is one real measurement). */
function median(results: WrkResult[]): WrkResult {
  const sorted = [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export interface Summary {
  readonly connections: number;
  readonly throughputVsBareProxy: number;
  readonly throughputVsDirect: number;
  readonly p50AddedVsDirectMicros: number;
  readonly p50AddedVsBareProxyMicros: number;
}

export interface ProxyComparison {
  readonly rows: Row[];
  readonly summary: Summary[];
}

/** Measures the three URLs (same backend, same path) at each connection level and derives the ratios. */
export async function compareProxies(
  targets: Record<ProxyTarget, string>,
  { seconds, rounds }: { seconds: number; rounds: number },
): Promise<ProxyComparison> {
  const rows: Row[] = [];
  for (const connections of CONNECTION_LEVELS) {
    const samples = {} as Record<ProxyTarget, WrkResult[]>;
    for (const target of PROXY_TARGETS) await wrk(targets[target], connections, 1); // warm-up: JIT, keepalive pools
    for (let round = 0; round < rounds; round++) {
      // Rotate the order each round: on this machine the run after another differs (caches, scheduler, GC).
      for (let i = 0; i < PROXY_TARGETS.length; i++) {
        const target = PROXY_TARGETS[(i + round) % PROXY_TARGETS.length]!;
        (samples[target] ??= []).push(await wrk(targets[target], connections, seconds));
      }
    }
    for (const target of PROXY_TARGETS) rows.push({ target, connections, ...median(samples[target]) });
  }
  const find = (target: ProxyTarget, connections: number) =>
    rows.find((r) => r.target === target && r.connections === connections)!;
  const summary = CONNECTION_LEVELS.map((connections) => {
    const direct = find('direct', connections);
    const bare = find('bare-proxy', connections);
    const gw = find('gateway', connections);
    return {
      connections,
      throughputVsBareProxy: gw.requestsPerSecond / bare.requestsPerSecond,
      throughputVsDirect: gw.requestsPerSecond / direct.requestsPerSecond,
      p50AddedVsDirectMicros: gw.p50Micros - direct.p50Micros,
      p50AddedVsBareProxyMicros: gw.p50Micros - bare.p50Micros,
    };
  });
  return { rows, summary };
}
