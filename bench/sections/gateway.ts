// Gateway cost, closed loop: the gateway engineer's benchmark (apps/books-reverse-proxy/bench) run through its npm
// script — direct vs bare keepalive nginx vs our gateway, c=1 and c=32 — once with a node:http backend (like the
// services) and once with an nginx backend (never the bottleneck: the proxies' own cost). Its JSON is read as is.
import { ratio, rps, us, type Check, type SectionResult } from '../lib/report';
import { runWorkspaceBench } from '../lib/workspace-bench';

const BACKENDS = ['node', 'nginx'] as const;
export type GatewayBackend = (typeof BACKENDS)[number];
export type GatewayTarget = 'direct' | 'bare-proxy' | 'gateway';

/** The fields of apps/books-reverse-proxy/bench's report this section reads. */
export interface GatewayBenchReport {
  backend: GatewayBackend;
  seconds: number;
  rounds: number;
  path: string;
  rows: {
    target: GatewayTarget;
    connections: number;
    requestsPerSecond: number;
    p50Micros: number;
    p99Micros: number;
    errors: number;
  }[];
  summary: {
    connections: number;
    throughputVsBareProxy: number;
    p50AddedVsDirectMicros: number;
    p50AddedVsBareProxyMicros: number;
  }[];
}

export type GatewayNumbers = Record<GatewayBackend, GatewayBenchReport>;

function checksFor(backend: GatewayBackend, report: GatewayBenchReport): Check[] {
  return report.summary.flatMap((summary) => [
    {
      name: `gateway throughput vs bare nginx, c=${summary.connections}, ${backend} backend`,
      target: '≥ 0.90×',
      measured: `${summary.throughputVsBareProxy.toFixed(2)}×`,
      ok: summary.throughputVsBareProxy >= 0.9,
    },
    ...(summary.connections === 1
      ? [
          {
            name: `gateway p50 added vs direct, c=1, ${backend} backend`,
            target: '≤ 50 µs',
            measured: us(summary.p50AddedVsDirectMicros),
            ok: summary.p50AddedVsDirectMicros <= 50,
          },
        ]
      : []),
  ]);
}

export async function gatewaySection(): Promise<SectionResult> {
  const numbers = {} as GatewayNumbers;
  for (const backend of BACKENDS) {
    numbers[backend] = (
      await runWorkspaceBench<GatewayBenchReport>(
        'apps/books-reverse-proxy',
        ['--backend', backend, '--rounds', '5'],
        '--out',
      )
    ).report;
  }
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
  const first = numbers[BACKENDS[0]];
  return {
    title: 'Gateway: direct vs bare keepalive nginx vs our gateway (closed loop)',
    method:
      `apps/books-reverse-proxy/bench (npm run bench -w apps/books-reverse-proxy): wrk 4.1, GET ${first.path}, ` +
      `median of ${first.rounds} interleaved ${first.seconds} s runs. The gateway runs with every feature on (request ` +
      'ids, JSON access log, metrics line, limits (lifted), security headers); the bare proxy has upstream keepalive ' +
      'only; both 1 worker. Backends: a node:http server (like the services) and nginx answering itself (never the ' +
      'bottleneck, so the ratios are the proxies’ own cost).',
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
