// The setup the gateway's targets are stated for: the real platform (startPlatform) with one books replica reading
// one row from PostgreSQL, reached directly, through a bare keepalive nginx and through the platform's gateway. The
// static-backend setups and withSetup live with the gateway's own bench (apps/books-reverse-proxy/bench/setups.ts).
import { startBareNginx } from '../../apps/books-reverse-proxy/bench/bare-nginx';
import type { Setup } from '../../apps/books-reverse-proxy/bench/setups';
import type { Platform } from '../../scripts/dev/platform';
import { startLoadPlatform } from './platform';

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
