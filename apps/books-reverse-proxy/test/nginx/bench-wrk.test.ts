/**
 * The benchmarks' wrk runner (bench/wrk.ts) against a local node:http server: closed loop, paced, errors counted.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runWrk } from '../../bench/wrk';

describe('bench: wrk runner (real wrk)', () => {
  let server: Server;
  let url: string;
  let served = 0;
  before(async () => {
    server = createServer((req, res) => {
      served++;
      res.statusCode = req.url === '/fail' ? 500 : 200;
      res.end('{}');
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
    assert.ok(result.lateSends <= 6, `${result.lateSends} late sends`);
    assert.equal(result.errors, 0);
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
