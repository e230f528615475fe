/**
 * Backends that are missing, move, fail or are slow; retries, keepalive and reloads — on real nginx under gatewayd,
 * with a test DNS server on 127.0.0.1 for the DNS-addressed cases.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../../scripts/dev/ports';
import { localGatewayOptions, startLocalGateway, waitFor, type LocalGateway } from '../../src/local';
import { routes } from '../../src/routes';
import { defaultGatewayOptions } from '../../src/options';
import { writeTestKeys } from '../keys';
import { startTestDns, type TestDns } from './dns-server';
import {
  jsonError,
  logEntries,
  send,
  startBackend,
  startFixture,
  tempDir,
  writeToken,
  type Backend,
  type Fixture,
} from './support';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const backendOf = (reply: { body: string }) => (JSON.parse(reply.body) as { backend: string }).backend;

describe('gateway resilience (real nginx + gatewayd)', () => {
  describe('DNS-addressed backends', () => {
    let dns: TestDns;
    let dir: string;
    let gateway: LocalGateway;
    let web: Backend;
    let booksA: Backend;
    let booksB: Backend;
    const booksHost = 'books.gateway.test';

    before(async () => {
      dns = await startTestDns();
      dir = tempDir('dns');
      const keys = writeTestKeys(join(dir, 'keys'));
      // The books route's port is fixed; the backend "moves" from 127.0.0.1 to 127.0.0.2 on that port.
      const booksPort = await freePort();
      booksA = await startBackend('books-a', '127.0.0.1', booksPort);
      booksB = await startBackend('books-b', '127.0.0.2', booksPort);
      web = await startBackend('web');
      dns.records.set('web.gateway.test', ['127.0.0.1']); // books.gateway.test: not resolvable yet
      const base = await localGatewayOptions({
        dir: join(dir, 'gateway'),
        addresses: {},
        hs256KeyFile: keys.hs256File,
        rs256PublicKeyFile: keys.rsaPublicFile,
        metrics: true,
      });
      gateway = await startLocalGateway({
        options: {
          ...base,
          routes: routes.map((route) => ({
            ...route,
            backend: { ...route.backend, port: route.name === 'books' ? booksPort : web.port },
          })),
          backends: {
            kind: 'dns',
            namespace: 'books',
            clusterDomain: 'cluster.local',
            resolver: dns.address,
            hosts: { books: `${booksHost}.`, web: 'web.gateway.test.' },
            refreshSeconds: 0.3,
            copiesPerAddress: 2,
          },
        },
      });
    });
    after(async () => {
      await gateway?.stop();
      await Promise.all([dns?.close(), web?.close(), booksA?.close(), booksB?.close()]);
      rmSync(dir, { recursive: true, force: true });
    });

    const masterPid = () => readFileSync(join(gateway.options.paths.tempDir, 'nginx.pid'), 'utf8').trim();

    it('starts although a backend name does not resolve: that route → 502 JSON, the others serve', async () => {
      const missing = await send(`${gateway.url}/books`);
      assert.equal(missing.status, 502);
      assert.equal(jsonError(missing).error, 'bad_gateway');
      const served = await send(`${gateway.url}/`);
      assert.equal(served.status, 200);
      assert.equal(backendOf(served), 'web');
    });

    it('picks the backend up once its name appears, without a restart', async () => {
      const pid = masterPid();
      dns.records.set(booksHost, ['127.0.0.1']);
      await waitFor(
        async () => (await send(`${gateway.url}/books`)).status === 200,
        5_000,
        () => 'books never became reachable',
      );
      // During a reload the old worker may still take a connection or two with the old config; then it is gone.
      await sleep(500);
      for (let i = 0; i < 5; i++) assert.equal(backendOf(await send(`${gateway.url}/books`)), 'books-a');
      assert.equal(masterPid(), pid, 'same nginx master');
    });

    it('follows a backend whose address changed, without a restart and without failed requests', async () => {
      const pid = masterPid();
      dns.records.set(booksHost, ['127.0.0.2']);
      const statuses: number[] = [];
      await waitFor(
        async () => {
          const reply = await send(`${gateway.url}/books`);
          statuses.push(reply.status);
          return reply.status === 200 && backendOf(reply) === 'books-b';
        },
        5_000,
        () => 'the gateway never followed the new address',
      );
      assert.deepEqual(
        statuses.filter((s) => s !== 200),
        [],
        'no failures while moving',
      );
      assert.equal(masterPid(), pid, 'same nginx master');
      assert.match(gateway.stderr(), /upstream books \(books\.gateway\.test\.\): 127\.0\.0\.2/);
    });

    it('a config with a new route applies on SIGHUP (gatewayd re-reads it), without a restart', async () => {
      const pid = masterPid();
      const authors = await startBackend('authors', '127.0.0.1');
      try {
        dns.records.set('authors.gateway.test', ['127.0.0.1']);
        const current = gateway.options;
        const backends = current.backends.kind === 'dns' ? current.backends : assert.fail('dns addressing expected');
        await gateway.reload({
          ...current,
          routes: [
            {
              name: 'authors',
              pathPrefix: '/authors',
              backend: { service: 'authors-service', port: authors.port },
              auth: null,
            },
            ...current.routes,
          ],
          backends: { ...backends, hosts: { ...backends.hosts, authors: 'authors.gateway.test.' } },
        });
        // Until the reload, /authors/1 is the web app's (the catch-all).
        await waitFor(
          async () => {
            const reply = await send(`${gateway.url}/authors/1`);
            return reply.status === 200 && backendOf(reply) === 'authors';
          },
          5_000,
          () => `new route never served:\n${gateway.stderr()}`,
        );
        assert.equal((await send(`${gateway.url}/books`)).status, 200, 'existing routes keep serving');
        assert.equal(masterPid(), pid, 'same nginx master');
      } finally {
        await authors.close();
      }
    });

    it('keeps the last good addresses while DNS is unavailable', async () => {
      await dns.close();
      await sleep(2_500); // more than one lookup timeout: gatewayd has seen the failure
      const reply = await send(`${gateway.url}/books`);
      assert.equal(reply.status, 200);
      assert.equal(backendOf(reply), 'books-b');
      assert.match(gateway.stderr(), /dns lookup of books\.gateway\.test\. failed/);
    });
  });

  describe('replicas, retries and keepalive (static addresses)', () => {
    let fx: Fixture;
    let token: string;
    before(async () => {
      // A third books address where nothing listens: a dead replica.
      fx = await startFixture('replicas', {
        replicas: { books: 2, web: 1 },
        deadAddresses: { books: [`127.0.0.1:${await freePort()}`] },
        overrides: (o) => ({
          ...o,
          limits: { ...o.limits, requestsPerSecond: 10_000, burst: 10_000, connectionsPerClient: 1000 },
          upstream: { ...o.upstream, maxFails: 0, retryTries: 3 },
          timeouts: { ...o.timeouts, upstreamReadSeconds: 1 },
        }),
      });
      token = await writeToken(fx);
    });
    after(() => fx.stop());
    afterEach(() => {
      for (const backend of fx.backends.books!) backend.handle(null);
    });

    it('GETs never fail while a replica is down: retried on the next one', async () => {
      const replies = await Promise.all(Array.from({ length: 60 }, () => send(`${fx.gateway.url}/books`)));
      assert.deepEqual(
        replies.filter((r) => r.status !== 200).map((r) => r.status),
        [],
      );
      const entries = await logEntries(
        fx.gateway,
        (all) => all.filter((entry) => entry.path === '/books').length >= 60,
      );
      const retried = entries.filter((entry) => entry.upstream_addr.includes(', '));
      assert.ok(retried.length >= 10, `requests that were retried: ${retried.length}`);
      assert.ok(retried.every((entry) => entry.status === 200));
    });

    it('a GET whose upstream drops the connection is retried; a POST never is', async () => {
      const [flaky, healthy] = fx.backends.books!;
      flaky!.handle((req) => req.socket.destroy());
      const gets = await Promise.all(Array.from({ length: 12 }, () => send(`${fx.gateway.url}/books`)));
      assert.deepEqual(
        gets.filter((r) => r.status !== 200).map((r) => r.status),
        [],
      );

      const bodies = Array.from({ length: 12 }, (_, i) => `{"n":${i}}`);
      const posts = await Promise.all(
        bodies.map((body) =>
          send(`${fx.gateway.url}/books`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body }),
        ),
      );
      const failed = posts.filter((r) => r.status === 502);
      assert.ok(failed.length >= 1, 'some POSTs hit the flaky replica');
      for (const reply of failed) assert.equal(jsonError(reply).error, 'bad_gateway');
      assert.equal(posts.filter((r) => r.status === 200).length + failed.length, 12);
      const seen = [...flaky!.requests, ...healthy!.requests].filter((r) => r.method === 'POST').map((r) => r.body);
      assert.equal(seen.length, 12, 'every POST reached exactly one upstream once');
      assert.deepEqual([...seen].sort(), [...bodies].sort());
    });

    it('retries are bounded: a GET to slow replicas gives up after retryTries × read timeout, a POST after one', async () => {
      for (const backend of fx.backends.books!) backend.handle((_req, res) => setTimeout(() => res.end('{}'), 4_000));
      let started = Date.now();
      // The last try decides the status: 504 from a slow replica, 502 if it was the dead one.
      assert.ok([502, 504].includes((await send(`${fx.gateway.url}/books`)).status));
      const getMs = Date.now() - started;
      started = Date.now();
      assert.equal(
        (await send(`${fx.gateway.url}/books`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } }))
          .status,
        504,
      );
      const postMs = Date.now() - started;
      assert.ok(getMs >= 1_900 && getMs < 3_500, `GET gave up after ${getMs} ms (two slow replicas + a dead one)`);
      assert.ok(postMs >= 900 && postMs < 1_900, `POST gave up after ${postMs} ms`);
    });

    it('reuses upstream keepalive connections: 200 requests, a handful of connections', async () => {
      await sleep(1_000); // let the slow requests of the previous case drain
      const before = fx.backends.books!.map((b) => b.connections());
      for (let i = 0; i < 200; i++) assert.equal((await send(`${fx.gateway.url}/books`)).status, 200);
      const opened = fx.backends.books!.reduce((sum, b, i) => sum + b.connections() - before[i]!, 0);
      assert.ok(opened <= 4, `new upstream connections: ${opened}`);
    });

    it('retires a busy upstream connection once keepalive_time has passed (a pod out of the endpoints stops getting requests)', async () => {
      // Through a ClusterIP a kept connection stays with its pod; only its age ends it (components/drain.ts).
      const keepaliveTimeMs = defaultGatewayOptions().upstream.keepaliveTimeSeconds * 1000;
      // Connections to every replica open first, so only retirements open new ones below.
      for (let i = 0; i < 10; i++) assert.equal((await send(`${fx.gateway.url}/books`)).status, 200);
      const before = fx.backends.books!.map((b) => b.connections());
      // Never idle long enough for keepalive_timeout: only the connections' age can retire them.
      for (const started = Date.now(); Date.now() - started < keepaliveTimeMs + 1_500; await sleep(20)) {
        assert.equal((await send(`${fx.gateway.url}/books`)).status, 200);
      }
      const opened = fx.backends.books!.reduce((sum, b, i) => sum + b.connections() - before[i]!, 0);
      assert.ok(
        opened >= 2,
        `new upstream connections over ${keepaliveTimeMs + 1_500} ms of steady requests: ${opened}`,
      );
    });

    it('reloads under load (SIGHUP → gatewayd → nginx reload, what nginx -s reload sends) drop nothing: new connections and requests in flight', async () => {
      fx.backends.books![1]!.handle((_req, res) => setTimeout(() => res.end('{"slow":true}'), 300));
      const failures: string[] = [];
      let completed = 0;
      let running = true;
      const worker = async () => {
        while (running) {
          try {
            const reply = await send(`${fx.gateway.url}/books`);
            if (reply.status === 200) completed++;
            else failures.push(`status ${reply.status}`);
          } catch (error) {
            failures.push(String(error));
          }
        }
      };
      const load = Promise.all(Array.from({ length: 8 }, worker));
      await sleep(500);
      await fx.gateway.reload();
      await sleep(700);
      await fx.gateway.reload();
      await sleep(700);
      running = false;
      await load;
      assert.deepEqual(failures, []);
      assert.ok(completed > 50, `completed ${completed}`);
    });
  });
});
