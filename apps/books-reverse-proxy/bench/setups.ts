// The setups the gateway is measured in, each reached three ways: directly, through a bare keepalive nginx and
// through our gateway (startLocalGateway: every feature on, per-client limits lifted, one worker like the bare
// nginx). Here the backends whose own cost is small and fixed:
//  - `node`: a node:http server answering a fixed body, like the platform's services minus their work;
//  - `nginx`: nginx answering itself, never the bottleneck, so the ratios are the proxies' own cost (stricter).
// The repository's bench adds the real books replica (bench/lib/setups.ts) and measures all of them alike.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../scripts/dev/ports';
import { liftLimits, localGatewayOptions, startLocalGateway, waitFor } from '../src/local';
import type { GatewayRenderOptions } from '../src/options';
import { writeTestKeys } from '../test/keys';
import { startBareNginx } from './bare-nginx';
import type { ProxyTarget } from './compare';

export type TargetUrls = Record<ProxyTarget, string>;
type Cleanup = () => Promise<void>;
/** Starts what it needs, pushing a cleanup for each step (withSetup runs them), and returns the three URLs. */
export type Setup = (cleanups: Cleanup[]) => Promise<TargetUrls>;

export const STATIC_BACKENDS = ['node', 'nginx'] as const;
export type StaticBackend = (typeof STATIC_BACKENDS)[number];

/** What the static backends answer: a book as the API would. */
export const STATIC_BOOK =
  '{"id":"00000000-0000-4000-8000-000000000001","title":"The Dispossessed","author":"Ursula K. Le Guin","year":1974}';
const PATH = '/books/1';

const NODE_BACKEND = `
const http = require('node:http');
const [port, body] = process.argv.slice(1);
const server = http.createServer((req, res) => { res.setHeader('Content-Type', 'application/json'); res.end(body); });
server.keepAliveTimeout = 65000;
server.listen(Number(port), '127.0.0.1');
`;

/** Runs `measure` against the URLs `setup` provides, then undoes every step of the setup, even on failure. */
export async function withSetup<T>(setup: Setup, measure: (urls: TargetUrls) => Promise<T>): Promise<T> {
  const cleanups: Cleanup[] = [];
  try {
    return await measure(await setup(cleanups));
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

/** The local gateway's options (test keys under `dir`, limits lifted) in front of one backend address. */
export async function benchGatewayOptions(
  dir: string,
  backendAddress: string,
  metrics: boolean,
): Promise<GatewayRenderOptions> {
  const keyFiles = writeTestKeys(join(dir, 'keys'));
  const options = await localGatewayOptions({
    dir: join(dir, 'gateway'),
    addresses: { books: [backendAddress], web: [backendAddress] },
    hs256KeyFile: keyFiles.hs256File,
    rs256PublicKeyFile: keyFiles.rsaPublicFile,
    metrics,
  });
  return liftLimits(options);
}

/** A node:http server answering STATIC_BOOK; returns its `host:port`. */
async function startNodeBackend(cleanups: Cleanup[]): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-e', NODE_BACKEND, String(port), STATIC_BOOK], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  const url = `http://127.0.0.1:${port}${PATH}`;
  await waitFor(
    async () => (await fetch(url).catch(() => null))?.status === 200,
    10_000,
    () => `the node backend never answered ${url}`,
  );
  return `127.0.0.1:${port}`;
}

async function startNginxBackend(cleanups: Cleanup[]): Promise<string> {
  const backend = await startBareNginx({ staticJson: STATIC_BOOK });
  cleanups.push(backend.stop);
  return backend.url.replace('http://', '');
}

const START_BACKEND: Record<StaticBackend, (cleanups: Cleanup[]) => Promise<string>> = {
  node: startNodeBackend,
  nginx: startNginxBackend,
};

export function staticBackendSetup(backend: StaticBackend): Setup {
  return async (cleanups) => {
    const backendAddress = await START_BACKEND[backend](cleanups);
    const bare = await startBareNginx({ proxyTo: backendAddress });
    cleanups.push(bare.stop);
    const dir = mkdtempSync(join(tmpdir(), 'books-bench-gateway-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const options = await benchGatewayOptions(dir, backendAddress, true);
    const gateway = await startLocalGateway({ options, accessLog: 'discard' });
    cleanups.push(gateway.stop);
    return {
      direct: `http://${backendAddress}${PATH}`,
      'bare-proxy': `${bare.url}${PATH}`,
      gateway: `${gateway.url}${PATH}`,
    };
  };
}
