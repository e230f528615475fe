/**
 * Gateway benchmark: wrk against (1) a backend directly, (2) a bare keepalive nginx proxy, (3) our gateway (nginx under
 * gatewayd with every feature on: request id, JSON access log (also the metrics' source), limits, security headers), in the
 * same run, at c=1 and c=32. Prints a table and ratios and writes JSON.
 *
 *   npm run bench -w apps/books-reverse-proxy -- [--out results.json] [--duration 3] [--rounds 3] [--backend node|nginx]
 *
 * How the three are measured (interleaved rounds, medians): bench/compare.ts, shared with the repository's bench.
 *
 * Targets: gateway throughput ≥ 0.9 × bare proxy; p50 added latency vs direct ≤ 50 µs at c=1.
 * `--backend node` is a node:http server like the platform's services; `--backend nginx` answers from nginx itself,
 * so the backend is never the bottleneck and the ratios show the proxies' own cost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort, localGatewayOptions, nginxBinary, startLocalGateway, waitFor } from '../src/local';
import { writeTestKeys } from '../test/keys';
import { compareProxies } from './compare';

const nodeBackend = `
const http = require('node:http');
const body = JSON.stringify({ id: 1, title: 'The Left Hand of Darkness', author: 'Ursula K. Le Guin', year: 1969 });
const server = http.createServer((req, res) => { res.setHeader('Content-Type', 'application/json'); res.end(body); });
server.keepAliveTimeout = 65000;
server.listen(Number(process.argv[1]), '127.0.0.1');
`;

function nginxConf(dir: string, listen: number, upstreamBlock: string, location: string): string {
  return `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log stderr warn;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy;
    fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
    ${upstreamBlock}
    server { listen 127.0.0.1:${listen}; location / { ${location} } }
}
`;
}

/** A plain nginx: the bare keepalive proxy, or a static JSON backend. */
async function startNginx(dir: string, port: number, upstream: string | null): Promise<ChildProcess> {
  mkdirSync(dir, { recursive: true });
  const upstreamBlock = upstream ? `upstream backend { server ${upstream}; keepalive 32; }` : '';
  const location = upstream
    ? 'proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection "";'
    : `default_type application/json; return 200 '{"id":1,"title":"The Left Hand of Darkness","author":"Ursula K. Le Guin","year":1969}';`;
  writeFileSync(join(dir, 'nginx.conf'), nginxConf(dir, port, upstreamBlock, location));
  const child = spawn(nginxBinary, ['-c', join(dir, 'nginx.conf'), '-p', `${dir}/`, '-e', 'stderr'], {
    stdio: 'ignore',
  });
  await waitUntilServing(`http://127.0.0.1:${port}/`);
  return child;
}

async function waitUntilServing(url: string): Promise<void> {
  await waitFor(
    async () => (await fetch(url).catch(() => null))?.status === 200,
    10_000,
    () => `${url} never answered`,
  );
}

function stopChild(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

const format = (n: number, digits = 0) => n.toFixed(digits).padStart(10);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'bench-results.json' },
      duration: { type: 'string', default: '3' },
      rounds: { type: 'string', default: '3' },
      backend: { type: 'string', default: 'node' },
    },
  });
  const seconds = Number(values.duration);
  const rounds = Number(values.rounds);
  if (!(seconds > 0 && seconds <= 60)) throw new Error('--duration must be 1..60 seconds');
  if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 9)) throw new Error('--rounds must be 1..9');
  if (values.backend !== 'node' && values.backend !== 'nginx') throw new Error('--backend must be node or nginx');
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
  const children: ChildProcess[] = [];
  let stopGateway: () => Promise<void> = async () => {};
  try {
    const backendPort = await freePort();
    if (values.backend === 'node') {
      children.push(spawn(process.execPath, ['-e', nodeBackend, String(backendPort)], { stdio: 'ignore' }));
      await waitUntilServing(`http://127.0.0.1:${backendPort}/`);
    } else {
      children.push(await startNginx(join(dir, 'backend'), backendPort, null));
    }
    const bareProxyPort = await freePort();
    children.push(await startNginx(join(dir, 'bare'), bareProxyPort, `127.0.0.1:${backendPort}`));

    const keys = writeTestKeys(join(dir, 'keys'));
    const base = await localGatewayOptions({
      dir: join(dir, 'gateway'),
      addresses: { books: [`127.0.0.1:${backendPort}`], web: [`127.0.0.1:${backendPort}`] },
      hs256KeyFile: keys.hs256File,
      rs256PublicKeyFile: keys.rsaPublicFile,
      metrics: true,
    });
    const gateway = await startLocalGateway({
      options: {
        ...base,
        limits: { ...base.limits, requestsPerSecond: 1_000_000, burst: 1_000_000, connectionsPerClient: 10_000 },
      },
      accessLog: 'discard',
    });
    stopGateway = () => gateway.stop();

    const targets = {
      direct: `http://127.0.0.1:${backendPort}/books`,
      'bare-proxy': `http://127.0.0.1:${bareProxyPort}/books`,
      gateway: `${gateway.url}/books`,
    } as const;
    const { rows, summary } = await compareProxies(targets, { seconds, rounds });
    const c1 = summary[0]!;
    const targetsMet = {
      throughputAtLeast90PercentOfBareProxy: summary.every((s) => s.throughputVsBareProxy >= 0.9),
      p50AddedAtC1AtMost50Micros: c1.p50AddedVsDirectMicros <= 50,
    };

    process.stdout.write(
      `\nbackend: ${values.backend}, GET /books, median of ${rounds} interleaved ${seconds}s runs\n\n`,
    );
    process.stdout.write(
      `${'target'.padEnd(12)}${'conns'.padStart(6)}${'req/s'.padStart(10)}${'p50 µs'.padStart(10)}${'p99 µs'.padStart(10)}${'errors'.padStart(10)}\n`,
    );
    for (const r of rows) {
      process.stdout.write(
        `${r.target.padEnd(12)}${String(r.connections).padStart(6)}${format(r.requestsPerSecond)}${format(r.p50Micros)}${format(r.p99Micros)}${format(r.errors)}\n`,
      );
    }
    process.stdout.write('\n');
    for (const s of summary) {
      process.stdout.write(
        `c=${s.connections}: gateway/bare ${s.throughputVsBareProxy.toFixed(3)}, gateway/direct ${s.throughputVsDirect.toFixed(3)}, ` +
          `p50 added vs direct ${s.p50AddedVsDirectMicros.toFixed(0)} µs, vs bare proxy ${s.p50AddedVsBareProxyMicros.toFixed(0)} µs\n`,
      );
    }
    process.stdout.write(`targets: ${JSON.stringify(targetsMet)}\n`);
    writeFileSync(
      values.out,
      `${JSON.stringify({ backend: values.backend, seconds, rounds, path: '/books', rows, summary, targetsMet }, null, 2)}\n`,
    );
    process.stdout.write(`wrote ${values.out}\n`);
  } finally {
    await stopGateway();
    await Promise.all(children.map((child) => stopChild(child, 'SIGQUIT')));
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
