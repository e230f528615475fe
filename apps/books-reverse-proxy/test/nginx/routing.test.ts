/**
 * Routing in the style of the Gateway API conformance suite: for each request, which backend receives it and
 * with which path, method, headers and body — plus the headers every answer carries and the access log.
 */
import assert from 'node:assert/strict';
import { Agent } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  allRequests,
  GENERATED_REQUEST_ID,
  jsonError,
  logEntries,
  send,
  startFixture,
  writeToken,
  type Fixture,
} from './support';

describe('gateway routing (real nginx)', () => {
  let fx: Fixture;
  let token: string;
  before(async () => {
    fx = await startFixture('routing');
    token = await writeToken(fx);
  });
  after(() => fx.stop());

  const lastRequest = (route: string) => fx.backends[route]![0]!.requests.at(-1)!;
  const counts = () => allRequests(fx).length;

  const cases: { path: string; method?: string; backend: 'books' | 'web'; upstreamPath?: string }[] = [
    { path: '/books', backend: 'books' },
    { path: '/books/', backend: 'books' },
    { path: '/books/42', backend: 'books' },
    { path: '/books/42/covers/1?size=large&x=%20y', backend: 'books' },
    { path: '/books?author=Le%20Guin&limit=5', backend: 'books' },
    { path: '/books', method: 'HEAD', backend: 'books' },
    { path: '/books/1', method: 'OPTIONS', backend: 'books' },
    { path: '/booksXYZ', backend: 'web' },
    { path: '/books-archive/1', backend: 'web' },
    { path: '/book', backend: 'web' },
    { path: '/', backend: 'web' },
    { path: '/static/app.js', backend: 'web' },
    { path: '/Books', backend: 'web' },
  ];
  for (const c of cases) {
    it(`${c.method ?? 'GET'} ${c.path} → ${c.backend}, path unchanged`, async () => {
      const before = counts();
      const reply = await send(fx.gateway.url + c.path, { method: c.method ?? 'GET' });
      assert.equal(reply.status, 200);
      assert.equal(counts(), before + 1, 'exactly one upstream request');
      const seen = lastRequest(c.backend);
      assert.equal(seen.url, c.upstreamPath ?? c.path);
      assert.equal(seen.method, c.method ?? 'GET');
    });
  }

  it('a write with a valid token reaches books with method, body, headers and the user; Authorization stays out', async () => {
    const reply = await send(`${fx.gateway.url}/books/7?dry=1`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'X-Custom': 'kept' },
      body: '{"title":"Dune"}',
    });
    assert.equal(reply.status, 200);
    const seen = lastRequest('books');
    assert.equal(seen.method, 'PATCH');
    assert.equal(seen.url, '/books/7?dry=1');
    assert.equal(seen.body, '{"title":"Dune"}');
    assert.equal(seen.headers['content-type'], 'application/json');
    assert.equal(seen.headers['x-custom'], 'kept');
    assert.equal(seen.headers['x-authenticated-user'], 'alice');
    assert.equal(seen.headers.authorization, undefined);
    assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(seen.headers['x-forwarded-proto'], 'http');
  });

  it('reads are public and a client-sent X-Authenticated-User never reaches upstream', async () => {
    for (const name of ['X-Authenticated-User', 'x-authenticated-user']) {
      const reply = await send(`${fx.gateway.url}/books`, { headers: { [name]: 'mallory' } });
      assert.equal(reply.status, 200);
      assert.equal(lastRequest('books').headers['x-authenticated-user'], undefined);
    }
    await send(`${fx.gateway.url}/`, { headers: { 'X-Authenticated-User': 'mallory' } });
    assert.equal(lastRequest('web').headers['x-authenticated-user'], undefined);
  });

  it('a client X-Forwarded-For is not trusted without trusted proxies', async () => {
    await send(`${fx.gateway.url}/books`, { headers: { 'X-Forwarded-For': '203.0.113.9' } });
    assert.equal(lastRequest('books').headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(lastRequest('books').headers['x-real-ip'], '127.0.0.1');
  });

  it('security headers on success, X-Powered-By and the upstream X-Request-ID hidden, no nginx version', async () => {
    const reply = await send(`${fx.gateway.url}/books`);
    assert.equal(reply.headers['x-content-type-options'], 'nosniff');
    assert.equal(reply.headers['x-frame-options'], 'DENY');
    assert.equal(reply.headers['content-security-policy'], "frame-ancestors 'none'");
    assert.equal(reply.headers['referrer-policy'], 'strict-origin-when-cross-origin');
    assert.equal(reply.headers['strict-transport-security'], undefined, 'no HSTS without TLS');
    assert.equal(reply.headers['x-powered-by'], undefined);
    assert.equal(reply.headers.server, 'nginx');
    assert.notEqual(reply.headers['x-request-id'], 'backend-echo');
  });

  it("an upstream's own Content-Security-Policy replaces the gateway's (one CSP header, the app's)", async () => {
    const appPolicy = "default-src 'self'; frame-ancestors 'self'";
    fx.backends.web![0]!.handle((_req, res) => {
      res.setHeader('Content-Security-Policy', appPolicy);
      res.end('<!doctype html>');
    });
    try {
      const reply = await send(`${fx.gateway.url}/index.html`);
      assert.equal(reply.status, 200);
      // node joins repeated headers with ", ": exactly the app's value means exactly one header.
      assert.equal(reply.headers['content-security-policy'], appPolicy);
      assert.equal(reply.headers['x-frame-options'], 'DENY');
    } finally {
      fx.backends.web![0]!.handle(null);
    }
  });

  it("the gateway's own error pages carry the gateway's Content-Security-Policy", async () => {
    const reply = await send(`${fx.gateway.url}/books`, { method: 'TRACE' });
    assert.equal(reply.status, 405);
    assert.equal(reply.headers['content-security-policy'], "frame-ancestors 'none'");
  });

  it('gzips text responses for clients that accept it', async () => {
    fx.backends.web![0]!.handle((_req, res) => {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ items: Array.from({ length: 200 }, (_, i) => ({ id: i, title: 'The Dispossessed' })) }));
    });
    try {
      const zipped = await send(`${fx.gateway.url}/list`, { headers: { 'Accept-Encoding': 'gzip' } });
      assert.equal(zipped.headers['content-encoding'], 'gzip');
      assert.equal(zipped.headers.vary, 'Accept-Encoding');
      const plain = await send(`${fx.gateway.url}/list`);
      assert.equal(plain.headers['content-encoding'], undefined);
      assert.equal(JSON.parse(plain.body).items.length, 200);
    } finally {
      fx.backends.web![0]!.handle(null);
    }
  });

  describe('request id', () => {
    it('keeps a sane incoming X-Request-ID, sends it upstream and back', async () => {
      const id = 'abc-123_x.y:z';
      const reply = await send(`${fx.gateway.url}/books`, { headers: { 'X-Request-ID': id } });
      assert.equal(reply.headers['x-request-id'], id);
      assert.equal(lastRequest('books').headers['x-request-id'], id);
    });
    for (const [label, bad] of [
      ['too long', 'a'.repeat(129)],
      ['with spaces', 'a b'],
      ['with quotes', 'a"b'],
      ['empty', ''],
    ] as const) {
      it(`replaces an insane one (${label}) with a generated id`, async () => {
        const reply = await send(`${fx.gateway.url}/books`, { headers: { 'X-Request-ID': bad } });
        const id = reply.headers['x-request-id'];
        assert.match(String(id), GENERATED_REQUEST_ID);
        assert.equal(lastRequest('books').headers['x-request-id'], id);
      });
    }
    it('generates one when absent, also on gateway errors', async () => {
      const reply = await send(`${fx.gateway.url}/books`, { method: 'TRACE' });
      assert.match(String(reply.headers['x-request-id']), GENERATED_REQUEST_ID);
      assert.equal(jsonError(reply).details.requestId, reply.headers['x-request-id']);
    });

    /** The parts of a generated id; fails on anything else. */
    const parts = (id: string | string[] | undefined) => {
      const match = GENERATED_REQUEST_ID.exec(String(id));
      assert.ok(match, `not a generated request id: ${id}`);
      const [, instance, pid, connection, request] = match;
      return { id: String(id), instance: instance!, pid: pid!, connection: connection!, request: Number(request) };
    };
    const onFreshConnection = async (url: string) => parts((await send(`${url}/books`)).headers['x-request-id']);

    it('numbers requests on a kept-alive connection; never repeats an id, also across a reload', async () => {
      const ids = new Set<string>();
      const fresh = [];
      for (let i = 0; i < 10; i++) fresh.push(await onFreshConnection(fx.gateway.url));
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      const keptAlive = [];
      for (let i = 0; i < 5; i++)
        keptAlive.push(parts((await send(`${fx.gateway.url}/books`, { agent })).headers['x-request-id']));
      agent.destroy();
      assert.deepEqual(
        keptAlive.map((id) => id.request),
        [1, 2, 3, 4, 5],
      );
      assert.equal(new Set(keptAlive.map((id) => id.connection)).size, 1, 'one connection');
      const oldPid = fresh.at(-1)!.pid;
      await fx.gateway.reload();
      const afterReload = [];
      for (const deadline = Date.now() + 10_000; Date.now() < deadline; await sleep(50)) {
        const id = await onFreshConnection(fx.gateway.url);
        if (id.pid !== oldPid) afterReload.push(id);
        if (afterReload.length === 10) break;
      }
      assert.equal(afterReload.length, 10, 'new workers answered after the reload');
      for (const id of [...fresh, ...keptAlive, ...afterReload]) ids.add(id.id);
      assert.equal(ids.size, 25, 'every id distinct');
      assert.equal(new Set([...fresh, ...keptAlive, ...afterReload].map((id) => id.instance)).size, 1);
    });

    it('draws a new instance id when a gateway starts', async () => {
      const other = await startFixture('routing-instance');
      try {
        const [mine, theirs] = [await onFreshConnection(fx.gateway.url), await onFreshConnection(other.gateway.url)];
        assert.notEqual(mine.instance, theirs.instance);
      } finally {
        await other.stop();
      }
    });
  });

  describe('methods', () => {
    for (const method of ['TRACE', 'FOO', 'PROPFIND', 'CONNECTX']) {
      it(`${method} → 405 JSON with Allow, nothing upstream`, async () => {
        const before = counts();
        const reply = await send(`${fx.gateway.url}/books`, { method });
        assert.equal(reply.status, 405);
        assert.equal(jsonError(reply).error, 'method_not_allowed');
        assert.equal(reply.headers.allow, 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS');
        assert.equal(reply.headers['x-content-type-options'], 'nosniff');
        assert.equal(counts(), before);
      });
    }
  });

  it('/healthz is answered by nginx itself', async () => {
    const before = counts();
    const reply = await send(`${fx.gateway.url}/healthz`);
    assert.equal(reply.status, 200);
    assert.deepEqual(JSON.parse(reply.body), { status: 'ok' });
    assert.equal(counts(), before);
  });

  it('internal locations are unreachable from outside', async () => {
    for (const path of ['/_gateway/auth/books', '/_gateway/error/500']) {
      const before = counts();
      const reply = await send(fx.gateway.url + path);
      assert.equal(reply.status, 404, path);
      assert.equal(jsonError(reply).error, 'not_found');
      assert.equal(counts(), before);
    }
  });

  // Mocha runs a suite's own tests before its nested suites: this one must come after all the traffic above.
  describe('access log', () =>
    it('every access log line is JSON with the documented fields', async () => {
      await send(`${fx.gateway.url}/books?secret=no`, { headers: { 'User-Agent': 'ua "quoted" \\ test' } });
      await logEntries(fx.gateway, (entries) => entries.at(-1)?.user_agent === 'ua "quoted" \\ test');
      const lines = fx.gateway.accessLogLines();
      assert.ok(lines.length > 20);
      const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      for (const entry of entries) {
        for (const field of [
          'time',
          'method',
          'path',
          'status',
          'bytes',
          'request_time',
          'route',
          'upstream_addr',
          'upstream_status',
          'upstream_response_time',
          'request_id',
          'user',
          'client',
          'user_agent',
        ]) {
          assert.ok(field in entry, `${field} in ${JSON.stringify(entry)}`);
        }
        assert.equal(typeof entry.status, 'number');
        assert.equal(typeof entry.request_time, 'number');
      }
      const last = entries.at(-1)!;
      assert.equal(last.path, '/books');
      assert.equal(last.route, 'books');
      assert.equal(last.user_agent, 'ua "quoted" \\ test');
      const write = entries.find((entry) => entry.method === 'PATCH')!;
      assert.equal(write.user, 'alice');
      const rejected = entries.find((entry) => entry.method === 'TRACE')!;
      assert.equal(rejected.status, 405, 'the original method is logged, not the error page redirect');
    }));
});
