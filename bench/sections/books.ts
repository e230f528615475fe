// books API vs a bare node:http + pg handler running the same SQL: the books engineer's benchmark
// (apps/books/bench), run through its npm script; its JSON report is read as is.
import { ratio, rps, type SectionResult } from '../lib/report';
import { describeInterval, judge, medianInterval } from '../lib/verdict';
import { runWorkspaceBench } from '../lib/workspace-bench';

interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
}

/** The fields of apps/books/bench's report this section reads. */
interface BooksBenchReport {
  config: { rounds: number; durationSeconds: number; connections: number; rows: number };
  scenarios: {
    name: string;
    books: Measurement;
    baseline: Measurement;
    ratio: number;
    /** books/baseline per round (each round runs both servers, alternating which goes first). */
    roundRatios: number[];
    target: number;
  }[];
}

export async function booksSection(): Promise<SectionResult> {
  // 5 rounds: the verdict's interval is then the per-round ratios' min–max, 94 % for their median (3 gave 75 %).
  const { report } = await runWorkspaceBench<BooksBenchReport>(
    'apps/books',
    ['--log-level', 'info', '--rounds', '5'],
    '--json',
  );
  const { config } = report;
  return {
    title: 'books API vs a bare node:http + pg handler (same SQL)',
    method:
      `apps/books/bench (npm run bench -w apps/books): autocannon, ${config.connections} connections, ` +
      `${config.rounds} rounds × ${config.durationSeconds} s alternating order, medians; ${config.rows} rows; ` +
      'books logs at info level; both servers are Node 24 child processes on the same PostgreSQL.',
    tables: [
      {
        columns: ['scenario', 'server', 'req/s', 'vs bare', 'p50', 'p99', 'non-2xx', 'errors'],
        rows: report.scenarios.flatMap((scenario) =>
          (['books', 'baseline'] as const).map((server) => {
            const m = scenario[server];
            return [
              scenario.name,
              server === 'books' ? 'books' : 'bare node:http + pg',
              rps(m.requestsPerSecond),
              ratio(m.requestsPerSecond, scenario.baseline.requestsPerSecond),
              `${m.p50Ms} ms`,
              `${m.p99Ms} ms`,
              String(m.non2xx),
              String(m.errors),
            ];
          }),
        ),
      },
    ],
    checks: report.scenarios.map((scenario) => {
      const interval = medianInterval(scenario.roundRatios);
      return {
        name: `books throughput vs bare handler, ${scenario.name}`,
        target: `≥ ${scenario.target.toFixed(2)}×`,
        measured: describeInterval(interval, (value) => `${value.toFixed(2)}×`),
        verdict: judge(interval, { atLeast: scenario.target }),
      };
    }),
    data: report,
  };
}
