// The two setups the gateway is measured in, each reached three ways (direct, bare keepalive nginx, our gateway):
//  - "static backend": nginx answering a fixed JSON body (never the bottleneck), so the numbers are the proxies'
//    own cost; the gateway as startLocalGateway runs it (every feature on, limits lifted);
//  - "books replica": the real platform (startPlatform) with one books replica reading one row from PostgreSQL —
//    the setup the gateway's targets are stated for.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProxyTarget } from '../../apps/books-reverse-proxy/bench/compare';
import { localGatewayOptions, startLocalGateway } from '../../apps/books-reverse-proxy/src/local';
import { writeTestKeys } from '../../apps/books-reverse-proxy/test/keys';
import type { GatewayRenderOptions } from '../../apps/books-reverse-proxy/src/options';
import type { Platform } from '../../scripts/dev/platform';
import { startBareNginx } from './bare-nginx';
import { liftLimits, startLoadPlatform } from './platform';

export type TargetUrls = Record<ProxyTarget, string>;
type Cleanup = () => Promise<void>;
export type Setup = (cleanups: Cleanup[]) => Promise<TargetUrls>;

/** What the static backend answers: a book as the API would. */
export const STATIC_BOOK =
  '{"id":"00000000-0000-4000-8000-000000000001","title":"The Dispossessed","author":"Ursula K. Le Guin","year":1974}';

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

export const staticBackendSetup: Setup = async (cleanups) => {
  const backend = await startBareNginx({ staticJson: STATIC_BOOK });
  cleanups.push(backend.stop);
  const backendAddress = backend.url.replace('http://', '');
  const bare = await startBareNginx({ proxyTo: backendAddress });
  cleanups.push(bare.stop);
  const dir = mkdtempSync(join(tmpdir(), 'books-bench-gateway-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const options = await benchGatewayOptions(dir, backendAddress, true);
  const gateway = await startLocalGateway({ options, accessLog: 'discard' });
  cleanups.push(gateway.stop);
  return { direct: `${backend.url}/books/1`, 'bare-proxy': `${bare.url}/books/1`, gateway: `${gateway.url}/books/1` };
};

export const booksReplicaSetup: Setup = async (cleanups) => {
  // One gateway worker, like the bare nginx: the dev gateway's `auto` would run one per CPU and compare 2 with 1.
  const platform: Platform = await startLoadPlatform('bench', {
    replicas: { books: 1, booksReact: 1 },
    customizeGateway: (gateway) => ({ ...gateway, workerProcesses: 1 }),
  });
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
  return { direct: replica.url + path, 'bare-proxy': bare.url + path, gateway: platform.url + path };
};
