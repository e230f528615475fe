/**
 * Limits and failure answers on real nginx: each is JSON with the security headers, never nginx's HTML page.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import {
  GENERATED_REQUEST_ID,
  allRequests,
  jsonError,
  logEntries,
  send,
  startFixture,
  writeToken,
  type Fixture,
  type Reply,
} from './support';

function expectJsonError(reply: Reply, status: number, error: string): void {
  assert.equal(reply.status, status, reply.body);
  assert.equal(jsonError(reply).error, error);
  assert.equal(reply.headers['x-content-type-options'], 'nosniff');
  assert.equal(reply.headers['x-frame-options'], 'DENY');
  assert.match(String(reply.headers['x-request-id']), GENERATED_REQUEST_ID);
  assert.doesNotMatch(reply.body, /<html|nginx\//i);
}

/** Writes raw bytes on one connection and returns everything the gateway sends until it closes. */
function raw(url: string, chunks: { data: string; afterMs: number }[], waitMs: number): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.on('data', (data) => (received += data.toString()));
    // reset_timedout_connection answers a timed-out client with a reset: that is a close here.
    socket.on('error', (error: NodeJS.ErrnoException) =>
      error.code === 'ECONNRESET' ? resolve(received) : reject(error),
    );
    socket.on('close', () => resolve(received));
    for (const { data, afterMs } of chunks) setTimeout(() => socket.write(data), afterMs);
    setTimeout(() => socket.destroy(), waitMs);
  });
}

describe('gateway limits and errors (real nginx)', () => {
  let fx: Fixture;
  before(async () => {
    fx = await startFixture('limits', {
      overrides: (o) => ({
        ...o,
        limits: {
          ...o.limits,
          requestsPerSecond: 5,
          burst: 2,
          maxBodySize: '1k',
          maxHeaderLineSize: '2k',
          connectionsPerClient: 4,
        },
        timeouts: { ...o.timeouts, clientHeaderSeconds: 1, clientBodySeconds: 1, upstreamReadSeconds: 1 },
        upstream: { ...o.upstream, retryTimeoutSeconds: 3 },
      }),
    });
  });
  after(() => fx.stop());
  const allUpstreamRequests = (): number => allRequests(fx).length;
  // Keep each case's traffic under the rate limit except the case about it.
  afterEach(() => new Promise((r) => setTimeout(r, 1_100)));

  it('rate limit: bursts beyond rate+burst → 429 JSON with Retry-After, nothing upstream for those', async () => {
    const before = fx.backends.books![0]!.requests.length;
    const replies = await Promise.all(Array.from({ length: 10 }, () => send(`${fx.gateway.url}/books`)));
    const limited = replies.filter((r) => r.status === 429);
    const served = replies.filter((r) => r.status === 200);
    assert.ok(limited.length >= 5, `429s: ${limited.length}`);
    assert.equal(served.length + limited.length, 10);
    for (const reply of limited) {
      expectJsonError(reply, 429, 'too_many_requests');
      assert.equal(reply.headers['retry-after'], '1');
    }
    assert.equal(fx.backends.books![0]!.requests.length - before, served.length);
  });

  it('body larger than maxBodySize → 413 JSON, nothing upstream', async () => {
    const before = fx.backends.books![0]!.requests.length;
    const reply = await send(`${fx.gateway.url}/books`, {
      method: 'PUT',
      body: 'x'.repeat(4096),
      headers: { 'Content-Type': 'text/plain' },
    });
    expectJsonError(reply, 413, 'payload_too_large');
    assert.equal(fx.backends.books![0]!.requests.length, before);
  });

  it('URI longer than a header buffer → 414 JSON', async () => {
    expectJsonError(await send(`${fx.gateway.url}/books?q=${'a'.repeat(3000)}`), 414, 'uri_too_long');
  });

  it('a header line longer than a header buffer → 431 JSON', async () => {
    expectJsonError(
      await send(`${fx.gateway.url}/books`, { headers: { 'X-Big': 'b'.repeat(3000) } }),
      431,
      'headers_too_large',
    );
  });

  it('a malformed request → 400 JSON', async () => {
    const response = await raw(
      fx.gateway.url,
      [{ data: 'GET /slowloris HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n', afterMs: 0 }],
      2_000,
    );
    assert.match(response, /^HTTP\/1\.1 400 /);
    assert.match(response, /"error":"bad_request"/);
    assert.match(response, /X-Content-Type-Options: nosniff/);
  });

  // Hostile input must never be answered 5xx (5xx means the platform's fault in metrics and alerts).
  const hostileRequests = [
    {
      name: 'HTTP/2.0 in an HTTP/1 request line',
      data: 'GET /books HTTP/2.0\r\nHost: x\r\n\r\n',
      error: 'unsupported_http_version',
    },
    {
      name: 'HTTP/9.9 in the request line',
      data: 'GET /books HTTP/9.9\r\nHost: x\r\n\r\n',
      error: 'unsupported_http_version',
    },
    {
      name: 'an unknown Transfer-Encoding',
      data: 'POST /books HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n',
      error: 'unsupported_transfer_encoding',
    },
  ];
  for (const { name, data, error } of hostileRequests) {
    it(`${name} → 400 JSON (not nginx's 505/501), nothing upstream`, async () => {
      const before = fx.backends.books![0]!.requests.length;
      const response = await raw(fx.gateway.url, [{ data, afterMs: 0 }], 2_000);
      assert.match(response, /^HTTP\/1\.1 400 /);
      assert.match(response, new RegExp(`"error":"${error}"`));
      assert.match(/"requestId":"([^"]*)"/.exec(response)?.[1] ?? '', GENERATED_REQUEST_ID);
      assert.match(response, /X-Content-Type-Options: nosniff/);
      assert.doesNotMatch(response, /<html|nginx\//i);
      assert.equal(fx.backends.books![0]!.requests.length, before);
    });
  }

  // HTTP/0.9 has no status line and no headers: a response is the body alone, then the close.
  for (const path of ['/books', '/books/1', '/']) {
    it(`an HTTP/0.9 request (GET ${path}, no version) → the bare JSON version error, then close; nothing upstream`, async () => {
      const before = allUpstreamRequests();
      const response = await raw(fx.gateway.url, [{ data: `GET ${path}\r\n`, afterMs: 0 }], 3_000);
      assert.doesNotMatch(response, /^HTTP\//, 'HTTP/0.9 has no status line');
      const body = JSON.parse(response) as { error: string; details: { requestId: string } };
      assert.equal(body.error, 'unsupported_http_version');
      assert.match(body.details.requestId, GENERATED_REQUEST_ID);
      assert.equal(allUpstreamRequests(), before);
    });
  }

  it('an HTTP/0.9-style POST (nginx: 400) → the bare JSON bad_request body, then close; nothing upstream', async () => {
    const before = allUpstreamRequests();
    const response = await raw(fx.gateway.url, [{ data: 'POST /books\r\n', afterMs: 0 }], 3_000);
    assert.equal((JSON.parse(response) as { error: string }).error, 'bad_request');
    assert.equal(allUpstreamRequests(), before);
  });

  describe('a malformed chunked body → 400 JSON on every route and method, nothing upstream', () => {
    const chunked = (method: string, path: string, headers = '') =>
      `${method} ${path} HTTP/1.1\r\nHost: x\r\n${headers}Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`;
    const cases: [string, () => Promise<string>][] = [
      ['GET /books', async () => chunked('GET', '/books')],
      [
        'POST /books without a token (found while the 401 page discards the body)',
        async () => chunked('POST', '/books'),
      ],
      [
        'POST /books with a valid token',
        async () => chunked('POST', '/books', `Authorization: Bearer ${await writeToken(fx)}\r\n`),
      ],
      ['PUT /books/1 without a token', async () => chunked('PUT', '/books/1')],
      ['POST /', async () => chunked('POST', '/')],
    ];
    for (const [name, request] of cases) {
      it(name, async () => {
        const before = allUpstreamRequests();
        const response = await raw(fx.gateway.url, [{ data: await request(), afterMs: 0 }], 2_000);
        assert.match(response, /^HTTP\/1\.1 400 /);
        assert.match(response, /Content-Type: application\/json/);
        assert.match(response, /"error":"bad_request"/);
        assert.doesNotMatch(response, /<html|nginx\//i);
        assert.equal(allUpstreamRequests(), before);
      });
    }
  });

  it('slowloris: headers not completed within clientHeaderSeconds → connection closed, logged as 408', async () => {
    const started = Date.now();
    const response = await raw(
      fx.gateway.url,
      [
        { data: 'GET /slowloris HTTP/1.1\r\nHost: x\r\n', afterMs: 0 },
        { data: 'X-Slow: 1\r\n', afterMs: 500 },
      ],
      5_000,
    );
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 1_000 && elapsed < 4_000, `closed after ${elapsed} ms`);
    // nginx closes a connection whose request head timed out without answering (it has no request to answer).
    assert.equal(response, '');
    await logEntries(fx.gateway, (entries) =>
      entries.some((entry) => entry.status === 408 && entry.path === '/slowloris'),
    );
  });

  // nginx 1.22 cannot answer a request that timed out: ngx_http_finalize_request terminates every request finished
  // with 408 without a response (only the access log records 408), and reset_timedout_connection makes the close a
  // TCP reset. docs/gateway-operations.md documents exactly this; the test pins it.
  it('body not sent within clientBodySeconds → reset (no answer is possible), logged as 408, nothing upstream', async () => {
    const before = fx.backends.web![0]!.requests.length;
    const started = Date.now();
    const outcome = await new Promise<{ received: string; reset: boolean }>((resolve, reject) => {
      const { hostname, port } = new URL(fx.gateway.url);
      const socket = connect(Number(port), hostname);
      let received = '';
      socket.on('data', (data) => (received += data.toString()));
      socket.on('error', (error: NodeJS.ErrnoException) =>
        error.code === 'ECONNRESET' ? resolve({ received, reset: true }) : reject(error),
      );
      socket.on('close', () => resolve({ received, reset: false }));
      socket.write('PUT /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc');
      setTimeout(() => socket.destroy(new Error('the gateway did not close within 4 s')), 4_000);
    });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 900 && elapsed < 4_000, `closed after ${elapsed} ms (clientBodySeconds: 1)`);
    assert.deepEqual(outcome, { received: '', reset: true });
    assert.equal(fx.backends.web![0]!.requests.length, before);
    await logEntries(fx.gateway, (entries) =>
      entries.some((entry) => entry.status === 408 && entry.path === '/upload'),
    );
  });

  it('upstream slower than upstreamReadSeconds → 504 JSON', async () => {
    fx.backends.web![0]!.handle((_req, res) => setTimeout(() => res.end('late'), 2_500));
    try {
      const started = Date.now();
      const reply = await send(`${fx.gateway.url}/slow`, { method: 'POST' });
      expectJsonError(reply, 504, 'gateway_timeout');
      assert.ok(Date.now() - started < 2_400, 'answered at the read timeout, not when the backend finished');
    } finally {
      fx.backends.web![0]!.handle(null);
    }
  });

  it('upstream answering 5xx itself passes through unchanged (services own their errors)', async () => {
    fx.backends.web![0]!.handle((_req, res) => {
      res.statusCode = 500;
      res.setHeader('Content-Type', 'application/json');
      res.end('{"error":"internal","message":"from the service","details":{}}');
    });
    try {
      const reply = await send(`${fx.gateway.url}/x`, { method: 'POST' });
      assert.equal(reply.status, 500);
      assert.equal(jsonError(reply).message, 'from the service');
      assert.equal(reply.headers['x-content-type-options'], 'nosniff');
    } finally {
      fx.backends.web![0]!.handle(null);
    }
  });

  it('upstream down → 502 JSON', async () => {
    await fx.backends.web![0]!.close();
    expectJsonError(await send(`${fx.gateway.url}/`), 502, 'bad_gateway');
    expectJsonError(await send(`${fx.gateway.url}/`, { method: 'POST' }), 502, 'bad_gateway');
    assert.equal((await send(`${fx.gateway.url}/books`)).status, 200, 'other routes keep serving');
  });

  describe('connection limit', () => {
    let cx: Fixture;
    before(async () => {
      cx = await startFixture('connlimit', {
        overrides: (o) => ({
          ...o,
          limits: { ...o.limits, requestsPerSecond: 1000, burst: 1000, connectionsPerClient: 2 },
        }),
      });
      cx.backends.web![0]!.handle((_req, res) => setTimeout(() => res.end('{}'), 500));
    });
    after(() => cx.stop());

    it('more concurrent requests than connectionsPerClient → 429 JSON for the excess', async () => {
      const replies = await Promise.all(Array.from({ length: 6 }, () => send(`${cx.gateway.url}/slow`)));
      const statuses = replies.map((r) => r.status).sort();
      assert.deepEqual(statuses, [200, 200, 429, 429, 429, 429]);
      for (const reply of replies.filter((r) => r.status === 429)) expectJsonError(reply, 429, 'too_many_requests');
    });
  });

  describe('trusted proxies', () => {
    let px: Fixture;
    before(async () => {
      px = await startFixture('proxies', {
        overrides: (o) => ({
          ...o,
          trustedProxies: ['127.0.0.1/32'],
          limits: { ...o.limits, requestsPerSecond: 1, burst: 0 },
        }),
      });
    });
    after(() => px.stop());

    it('takes the client from X-Forwarded-For of a trusted peer: limits and headers apply per real client', async () => {
      const asClient = (ip: string) =>
        send(`${px.gateway.url}/books`, { headers: { 'X-Forwarded-For': `198.51.100.7, ${ip}` } });
      assert.equal((await asClient('203.0.113.1')).status, 200);
      const seen = px.backends.books![0]!.requests.at(-1)!;
      assert.equal(
        seen.headers['x-forwarded-for'],
        '203.0.113.1',
        'the hop the trusted proxy saw, nothing a client forged before it',
      );
      assert.equal(seen.headers['x-real-ip'], '203.0.113.1');
      expectJsonError(await asClient('203.0.113.1'), 429, 'too_many_requests');
      assert.equal((await asClient('203.0.113.2')).status, 200, 'another client has its own budget');
    });
  });
});
