import assert from 'node:assert/strict';
import type { Service } from '../src/service';
import { sharedPostgres } from './support/shared-postgres';
import { apiClient, startTestService, waitReady, type Api } from './support/service';

describe('observability: health, metrics, request ids, logs', function () {
  let service: Service;
  let api: Api;
  const logLines: Array<Record<string, unknown>> = [];

  before(async function () {
    service = await startTestService(await (await sharedPostgres()).createDatabase('books_observability'), {
      logLevel: 'info',
      logStream: { write: (line: string) => logLines.push(JSON.parse(line)) },
    });
    api = apiClient(service.url);
    await waitReady(api);
  });

  after(async () => service?.close());

  it('/healthz and /readyz answer 200 JSON when the database is up and migrated', async function () {
    assert.deepEqual((await api('GET', '/healthz')).body, { status: 'ok' });
    const ready = await api('GET', '/readyz');
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: 'ready' });
  });

  it('echoes a sane X-Request-ID and logs every line of the request with it', async function () {
    const response = await api('GET', '/books', { headers: { 'x-request-id': 'trace-abc.123:x_y-z' } });
    assert.equal(response.headers.get('x-request-id'), 'trace-abc.123:x_y-z');
    await new Promise((resolve) => setImmediate(resolve));
    const lines = logLines.filter((line) => line.requestId === 'trace-abc.123:x_y-z');
    assert.deepEqual(
      lines.map((line) => line.msg),
      ['incoming request', 'request completed'],
    );
  });

  it('the id is echoed on error answers too', async function () {
    const response = await api('POST', '/books', { body: {}, headers: { 'x-request-id': 'err-1' } });
    assert.equal(response.status, 401);
    assert.equal(response.headers.get('x-request-id'), 'err-1');
    const notFound = await api('GET', '/nowhere', { headers: { 'x-request-id': 'err-2' } });
    assert.equal(notFound.headers.get('x-request-id'), 'err-2');
  });

  for (const [label, header] of [
    ['missing', undefined],
    ['with spaces', 'bad id'],
    ['overlong', 'a'.repeat(129)],
    ['with a newline-like character', 'a\tb'],
  ] as const) {
    it(`replaces an X-Request-ID that is ${label} with a fresh UUID`, async function () {
      const response = await api(
        'GET',
        '/healthz',
        header === undefined ? {} : { headers: { 'x-request-id': header } },
      );
      assert.match(
        response.headers.get('x-request-id') ?? '',
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
    });
  }

  it('logs are JSON with a level and time', async function () {
    assert.ok(logLines.length > 0);
    for (const line of logLines) {
      assert.equal(typeof line.level, 'number');
      assert.equal(typeof line.time, 'number');
    }
  });

  it('/metrics exposes requests by route template and status, latency, and pool use', async function () {
    const scrape = async () => {
      const response = await api('GET', '/metrics');
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      const text: string = response.body;
      return {
        text,
        value(name: string): number {
          const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
          return line === undefined ? 0 : Number(line.slice(name.length + 1));
        },
      };
    };
    const before = await scrape();
    const created = await api('POST', '/books', { body: { title: 'Metered', author: 'M' }, user: 'metrics-user' });
    await api('GET', `/books/${created.body.id}`);
    await api('GET', `/books/${created.body.id}`);
    await api('GET', '/books/00000000-0000-4000-8000-000000000000');
    await api('GET', '/no/such/route/42');
    const after = await scrape();

    const increase = (name: string) => after.value(name) - before.value(name);
    assert.equal(increase('http_requests_total{method="GET",route="/books/:id",status_code="200"}'), 2);
    assert.equal(increase('http_requests_total{method="GET",route="/books/:id",status_code="404"}'), 1);
    assert.equal(increase('http_requests_total{method="POST",route="/books",status_code="201"}'), 1);
    assert.equal(increase('http_requests_total{method="GET",route="unmatched",status_code="404"}'), 1);
    assert.ok(!after.text.includes('/no/such/route'), 'raw URLs never become labels');
    assert.equal(increase('http_request_duration_seconds_count{method="GET",route="/books/:id",status_code="200"}'), 2);
    assert.equal(
      increase('http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/books/:id",status_code="200"}'),
      2,
    );
    const total = after.value('books_db_pool_connections{state="total"}');
    const idle = after.value('books_db_pool_connections{state="idle"}');
    assert.ok(total >= 1 && total <= 5, `pool total ${total}`);
    assert.ok(idle >= 0 && idle <= total, `pool idle ${idle}`);
    assert.ok(after.text.includes('books_db_pool_connections{state="waiting"} 0'));
    assert.ok(after.text.includes('process_cpu_seconds_total'), 'default process metrics');
  });
});
