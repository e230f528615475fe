import autocannon from 'autocannon';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { migrate } from '../src/migrate';
import { MIGRATIONS } from '../src/migrations';
import { spawnServer, type ChildServer } from '../test/support/child-server';
import { TestPostgres } from '../test/support/postgres';
import { apiClient, eventually } from '../test/support/service';

/*
 * books vs a bare node:http + pg handler running the same SQL, in the same run, on the same database:
 * get-by-id and list, requests/s, p50, p99 and the books/baseline throughput ratio (target >= 0.5).
 * Both servers run as Node 24 child processes; autocannon drives them from this process over 127.0.0.1.
 *
 * The machine is shared, so each scenario runs several rounds, alternating which server goes first, and the
 * reported figures are per-round medians.
 *
 *   npm run bench -w apps/books -- [--rounds 3] [--duration 4] [--connections 32] [--log-level info] [--json FILE|-]
 */

const TARGET_RATIO = 0.5;
const ROWS = 1000;

const { values: args } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    duration: { type: 'string', default: '4' },
    connections: { type: 'string', default: '32' },
    'log-level': { type: 'string', default: 'info' },
    json: { type: 'string' },
  },
});
const durationSeconds = Math.min(60, Math.max(1, Number(args.duration)));
const connections = Math.min(256, Math.max(1, Number(args.connections)));
const rounds = Math.min(10, Math.max(1, Number(args.rounds)));

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function medianMeasurement(runs: Measurement[]): Measurement {
  const of = (key: keyof Measurement) => median(runs.map((run) => run[key]));
  const sum = (key: keyof Measurement) => runs.reduce((total, run) => total + run[key], 0);
  return {
    requestsPerSecond: of('requestsPerSecond'),
    p50Ms: of('p50Ms'),
    p99Ms: of('p99Ms'),
    requests: sum('requests'),
    non2xx: sum('non2xx'),
    errors: sum('errors'),
  };
}

interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
}

async function load(baseUrl: string, paths: () => string, seconds: number): Promise<Measurement> {
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: seconds,
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: paths() }) }],
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

async function seed(databaseUrl: string): Promise<string[]> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    await migrate(pool, MIGRATIONS);
    await pool.query(
      `INSERT INTO books (title, author, year, created_by, updated_by)
       SELECT 'Bench title ' || n, 'Bench author ' || (n % 97), 1900 + n % 120, 'bench', 'bench'
       FROM generate_series(1, $1) AS n`,
      [ROWS],
    );
    const { rows } = await pool.query<{ id: string }>('SELECT id FROM books ORDER BY random() LIMIT 200');
    return rows.map((row) => row.id);
  } finally {
    await pool.end();
  }
}

async function main(): Promise<void> {
  const postgres = await TestPostgres.boot();
  const servers: ChildServer[] = [];
  try {
    const databaseUrl = await postgres.createDatabase('books_bench');
    const ids = await seed(databaseUrl);
    const env = { DATABASE_URL: databaseUrl, DB_POOL_MAX: '10' };
    const books = await spawnServer({ ...env, LOG_LEVEL: args['log-level'] });
    servers.push(books);
    const baseline = await spawnServer(env, 'bench/bare-server.ts');
    servers.push(baseline);
    await eventually(async () => (await apiClient(books.url)('GET', '/readyz')).status === 200, 20000, 'books ready');

    let next = 0;
    const scenarios = [
      { name: 'get-by-id', path: () => `/books/${ids[next++ % ids.length]}` },
      { name: 'list', path: () => '/books?limit=20&offset=0' },
    ];
    const results = [];
    for (const scenario of scenarios) {
      // Warm both (JIT, pool connections), then alternate which one goes first.
      await load(baseline.url, scenario.path, 1);
      await load(books.url, scenario.path, 1);
      const bareRuns: Measurement[] = [];
      const serviceRuns: Measurement[] = [];
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? ([baseline, books] as const) : ([books, baseline] as const);
        for (const target of order) {
          (target === books ? serviceRuns : bareRuns).push(await load(target.url, scenario.path, durationSeconds));
        }
      }
      const bare = medianMeasurement(bareRuns);
      const service = medianMeasurement(serviceRuns);
      const roundRatios = serviceRuns.map((run, index) => run.requestsPerSecond / bareRuns[index]!.requestsPerSecond);
      const ratio = Math.round(median(roundRatios) * 100) / 100;
      results.push({
        name: scenario.name,
        books: service,
        baseline: bare,
        ratio,
        roundRatios: roundRatios.map((value) => Math.round(value * 100) / 100),
        target: TARGET_RATIO,
        meetsTarget: ratio >= TARGET_RATIO,
      });
    }

    const report = {
      benchmark: 'books',
      node: process.versions.node,
      startedAt: new Date().toISOString(),
      config: { rounds, durationSeconds, connections, rows: ROWS, booksLogLevel: args['log-level'], poolMax: 10 },
      scenarios: results,
    };
    const line = (name: string, m: Measurement) =>
      `  ${name.padEnd(9)} ${String(m.requestsPerSecond).padStart(7)} req/s   p50 ${String(m.p50Ms).padStart(4)} ms   p99 ${String(m.p99Ms).padStart(4)} ms   non-2xx ${m.non2xx}, errors ${m.errors}`;
    for (const result of results) {
      console.log(`${result.name} (${rounds} rounds x ${durationSeconds} s, ${connections} connections; medians)`);
      console.log(line('books', result.books));
      console.log(line('baseline', result.baseline));
      console.log(
        `  ratio books/baseline ${result.ratio} (rounds: ${result.roundRatios.join(', ')}; target >= ${TARGET_RATIO}: ${result.meetsTarget ? 'met' : 'NOT met'})`,
      );
    }
    if (args.json === '-') console.log(JSON.stringify(report, null, 2));
    else if (args.json) writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    for (const server of servers) {
      server.process.kill('SIGTERM');
      await server.exited;
    }
    await postgres.shutdown();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
