// The drills' load library (bench/lib/load.ts) against a local node:http server: a paced run keeps its schedule and
// counts what it could not keep; without a rate the load stays closed-loop. Needs no platform.
import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runLoad, type LoadOptions, type LoadResult, type ResponseRecord } from '../../../bench/lib/load';

/** Answers 200 after `?delayMs=` and remembers how many requests it held at once. */
interface TestServer {
  url: string;
  peakInFlight: number;
  close: () => Promise<void>;
}

async function startServer(): Promise<TestServer> {
  let inFlight = 0;
  const state = { url: '', peakInFlight: 0 };
  const server = http.createServer((req, res) => {
    inFlight++;
    state.peakInFlight = Math.max(state.peakInFlight, inFlight);
    const delayMs = Number(new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('delayMs') ?? 0);
    setTimeout(() => {
      inFlight--;
      res.end('ok');
    }, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

describe('load library: paced and closed-loop runs (bench/lib/load.ts)', function () {
  this.timeout(30_000);
  let server: TestServer;

  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    await server.close();
  });

  const load = (delayMs: number, options: Partial<LoadOptions>): Promise<LoadResult> =>
    runLoad({
      baseUrl: server.url,
      concurrency: 4,
      maxRequests: 100_000,
      maxDurationMs: 1_000,
      nextRequest: () => ({ method: 'GET', path: `/?delayMs=${delayMs}` }),
      ...options,
    });

  it('sends at the offered rate, never before a request is due, and counts no late start when it keeps up', async () => {
    const records: ResponseRecord[] = [];
    // 32 workers each hold a due request ahead: only a stall of ~160 ms would leave one overdue.
    const result = await load(0, { ratePerSecond: 200, concurrency: 32, onResponse: (r) => records.push(r) });

    // 200 due times fall inside the 1 s window (0, 5, …, 995 ms).
    assert.ok(result.requests >= 190 && result.requests <= 200, `${result.requests} requests`);
    assert.ok(
      Math.abs(result.requestsPerSecond - 200) <= 20,
      `achieved ${result.requestsPerSecond.toFixed(0)} req/s for 200 offered`,
    );
    const early = records.filter((record) => record.startedAtMs < record.index * 5 - 0.01);
    assert.deepEqual(early, [], 'requests sent before they were due');
    assert.ok(result.pacing, 'a paced run reports its pacing');
    assert.equal(result.pacing.offeredPerSecond, 200);
    assert.ok(result.pacing.lateStarts <= 2, `${result.pacing.lateStarts} late starts against an instant server`);
  });

  it('counts late starts when every worker is busy, and measures latency from the actual send', async () => {
    // 2 workers × one answer per 40 ms can send 50 req/s; 100 req/s are offered, so the schedule slips.
    const result = await load(40, { ratePerSecond: 100, concurrency: 2, maxDurationMs: 600 });

    assert.ok(result.pacing, 'a paced run reports its pacing');
    assert.ok(
      result.pacing.lateStarts >= result.requests / 2,
      `${result.pacing.lateStarts} late starts in ${result.requests} requests`,
    );
    // By the end the schedule is ≥ 150 ms behind; latencies from the due time would include that.
    assert.ok(result.pacing.maxStartLagMs >= 150, `worst start lag ${result.pacing.maxStartLagMs.toFixed(0)} ms`);
    assert.ok(result.latency.p50Ms >= 39, `p50 ${result.latency.p50Ms.toFixed(1)} ms under the server's 40 ms`);
    assert.ok(
      result.latency.maxMs < result.pacing.maxStartLagMs,
      `max latency ${result.latency.maxMs.toFixed(0)} ms: it must not include the start lag`,
    );
    assert.ok(result.requests <= 2 * Math.ceil(600 / 40) + 2, `${result.requests} requests: the time bound held`);
  });

  it('stops a paced run at maxRequests', async () => {
    const result = await load(0, { ratePerSecond: 1_000, maxRequests: 30 });
    assert.equal(result.requests, 30);
  });

  it('refuses a rate that is not a positive number', async () => {
    for (const ratePerSecond of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await assert.rejects(load(0, { ratePerSecond }), /ratePerSecond must be > 0/);
    }
  });

  it('without a rate stays closed-loop: every worker sends again as soon as it is answered', async () => {
    const result = await load(10, { concurrency: 4, maxRequests: 40, maxDurationMs: 10_000 });

    assert.equal(result.pacing, undefined, 'a closed-loop run reports no pacing');
    assert.equal(result.requests, 40);
    assert.equal(server.peakInFlight, 4, 'the 4 workers were not all in flight at once');
    // Back to back: 10 rounds of 10 ms, far below the 10 s bound.
    assert.ok(result.durationMs < 2_000, `40 requests took ${result.durationMs.toFixed(0)} ms`);
  });

  it('ends a closed-loop run at maxDurationMs', async () => {
    const result = await load(0, { maxDurationMs: 300 });
    assert.ok(result.requests > 0);
    assert.ok(result.durationMs < 1_000, `ran ${result.durationMs.toFixed(0)} ms for a 300 ms bound`);
  });
});
