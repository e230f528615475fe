/**
 * The benchmarks' wrk runner (bench/wrk.ts) against a local node:http server: closed loop, paced (both pacers),
 * errors counted.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runWrk, type Pacer } from '../../bench/wrk';

/**
 * A send is late when its slot passed before its thread could send it: a stall of the machine (the generator runs at
 * nice 10, behind anything else busy) makes a few at once — 9 of 600 were seen on a loaded run. A broken schedule
 * makes most sends late, which this still catches.
 */
function assertFewLate(lateSends: number, requests: number): void {
  assert.ok(lateSends <= requests / 10, `${lateSends} late sends of ${requests}`);
}

describe('bench: wrk runner (real wrk)', () => {
  let server: Server;
  let url: string;
  let served = 0;
  /** When each request reached the server (ms, performance.now()), for the pacers' spacing. */
  let arrivals: number[] = [];
  before(async () => {
    server = createServer((req, res) => {
      served++;
      arrivals.push(performance.now());
      res.statusCode = req.url === '/fail' ? 500 : 200;
      // /slow answers after 50 ms: one connection then serves at most 20 requests a second.
      if (req.url === '/slow') setTimeout(() => res.end('{}'), 50);
      else res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('closed loop: counts requests and reports ordered exact percentiles', async () => {
    const result = await runWrk({ url: `${url}/ok`, connections: 4, threads: 2, durationSeconds: 1 });
    assert.ok(result.requests > 100, `${result.requests} requests`);
    assert.equal(result.errors, 0);
    assert.equal(result.lateSends, 0);
    const { p50, p90, p99, max } = result.latencyUs;
    assert.ok(p50 > 0 && p50 <= p90 && p90 <= p99 && p99 <= max, JSON.stringify(result.latencyUs));
  });

  it('paced: offers the asked rate, not more, whatever the server could take', async () => {
    const before = served;
    const result = await runWrk({
      url: `${url}/ok`,
      connections: 8,
      threads: 2,
      durationSeconds: 2,
      ratePerSecond: 300,
    });
    assert.ok(result.requests >= 540 && result.requests <= 660, `${result.requests} requests for 600 offered`);
    assert.ok(Math.abs(served - before - result.requests) <= 8, `server saw ${served - before}`);
    assertFewLate(result.lateSends, result.requests);
    assert.equal(result.errors, 0);
  });

  it('paced with nanosleep: the asked rate, and wake-up lag reported', async () => {
    const result = await runWrk({
      url: `${url}/ok`,
      connections: 4,
      threads: 4,
      durationSeconds: 2,
      ratePerSecond: 300,
      pacer: 'nanosleep',
    });
    assert.ok(result.requests >= 540 && result.requests <= 660, `${result.requests} requests for 600 offered`);
    assertFewLate(result.lateSends, result.requests);
    assert.ok(result.wakeups, 'wake-up lag is reported');
    // A sleeping thread always wakes some µs after its slot: 0 would mean the lag is not measured.
    assert.ok(
      result.wakeups.maxLagUs > 0 && result.wakeups.maxLagUs < 1_000_000,
      `max lag ${result.wakeups.maxLagUs} µs`,
    );
    assert.ok(result.wakeups.laterThan100Us <= result.requests);
    assert.equal(result.errors, 0);
  });

  it("nanosleep spaces requests evenly where wrk's timers send them in millisecond bursts", async () => {
    // 4,000 req/s = one request every 250 µs. wrk's timers fire on whole milliseconds: a thread pacing 4
    // connections sends ~4 requests per tick; nanosleep runs 4 threads, each sending every ms, staggered.
    const medianGapUs = async (pacer: Pacer, threads: number): Promise<number> => {
      arrivals = [];
      const result = await runWrk({
        url: `${url}/ok`,
        connections: 4,
        threads,
        durationSeconds: 2,
        ratePerSecond: 4000,
        pacer,
      });
      assert.equal(result.errors, 0);
      const gaps = arrivals.slice(1).map((at, i) => (at - arrivals[i]) * 1000);
      return gaps.sort((a, b) => a - b)[Math.floor(gaps.length / 2)];
    };
    const timers = await medianGapUs('wrk-timers', 1);
    const nanosleep = await medianGapUs('nanosleep', 4);
    assert.ok(nanosleep > 200 && nanosleep < 300, `nanosleep: median gap ${nanosleep.toFixed(0)} µs (250 µs offered)`);
    // Within a burst the gap is the machine's time per request (25 µs on one VM, 69 µs on a slower one), so it is
    // judged against the even spacing, not as an absolute time.
    assert.ok(
      timers < nanosleep / 2,
      `wrk-timers: median gap ${timers.toFixed(0)} µs against nanosleep's ${nanosleep.toFixed(0)} µs (bursts expected)`,
    );
  });

  // The other side of assertFewLate: when the server cannot keep up, the sends really are counted late.
  for (const pacer of ['wrk-timers', 'nanosleep'] as const) {
    it(`${pacer}: counts the sends a slow server made late`, async () => {
      // 4 connections × 20 req/s at most, 300 req/s offered: most slots pass before a connection is free.
      const result = await runWrk({
        url: `${url}/slow`,
        connections: 4,
        threads: 4,
        durationSeconds: 2,
        ratePerSecond: 300,
        pacer,
      });
      assert.ok(result.requests > 0 && result.requests <= 200, `${result.requests} requests`);
      assert.ok(result.lateSends > result.requests / 2, `${result.lateSends} late sends of ${result.requests}`);
    });
  }

  it('nanosleep refuses threads that share connections, before running wrk', async () => {
    await assert.rejects(
      runWrk({ url, connections: 8, threads: 2, durationSeconds: 1, ratePerSecond: 100, pacer: 'nanosleep' }),
      /one thread per connection \(threads 2, connections 8\)/,
    );
  });

  it('counts non-2xx answers as errors', async () => {
    const result = await runWrk({ url: `${url}/fail`, connections: 2, threads: 1, durationSeconds: 1 });
    assert.ok(result.requests > 0);
    assert.equal(result.nonSuccessResponses, result.requests);
    assert.equal(result.errors, result.requests);
  });

  it('refuses a URL that is not loopback, before running wrk', async () => {
    await assert.rejects(
      runWrk({ url: 'http://10.1.2.3/', connections: 1, threads: 1, durationSeconds: 1 }),
      /only sent to loopback/,
    );
  });
});
