/**
 * Prometheus metrics from gatewayd, read from nginx's JSON access log lines: counts and latency follow the traffic.
 */
import assert from 'node:assert/strict';
import { waitFor } from '../../src/local';
import { send, startFixture, type Fixture } from './support';

/** Parses the exposition text into "name{labels}" → value. */
function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^(\S+) (\S+)$/.exec(line);
    assert.ok(match, `exposition line: ${line}`);
    samples.set(match[1]!, Number(match[2]));
  }
  return samples;
}

const requestsTotal = (samples: Map<string, number>): number =>
  [...samples].filter(([k]) => k.startsWith('gateway_http_requests_total')).reduce((sum, [, v]) => sum + v, 0);

describe('gateway metrics (real nginx + gatewayd)', () => {
  let fx: Fixture;
  let metricsUrl: string;
  before(async () => {
    fx = await startFixture('metrics', { metrics: true });
    metricsUrl = `http://127.0.0.1:${fx.gateway.options.metrics!.port}/metrics`;
  });
  after(() => fx.stop());

  it('counts requests by route, method and status class, with a latency histogram per route', async () => {
    for (let i = 0; i < 5; i++) assert.equal((await send(`${fx.gateway.url}/books`)).status, 200);
    for (let i = 0; i < 3; i++) assert.equal((await send(`${fx.gateway.url}/books`, { method: 'POST' })).status, 401);
    for (let i = 0; i < 2; i++) assert.equal((await send(`${fx.gateway.url}/about`)).status, 200);
    assert.equal((await send(`${fx.gateway.url}/books`, { method: 'PROPFIND' })).status, 405);
    assert.equal((await send(`${fx.gateway.url}/healthz`)).status, 200);
    // The access log is written in batches (accessLogBuffer: at most 1 s late): wait for the 11th request.
    let samples = new Map<string, number>();
    await waitFor(
      async () => {
        samples = parseMetrics(await (await fetch(metricsUrl)).text());
        return requestsTotal(samples) >= 11;
      },
      5_000,
      () => `metrics never counted 11 requests: ${JSON.stringify([...samples])}`,
    );
    const response = await fetch(metricsUrl);
    assert.equal(response.status, 200);
    assert.match(String(response.headers.get('content-type')), /^text\/plain; version=0\.0\.4/);
    const value = (key: string) => samples.get(key);
    assert.equal(value('gateway_http_requests_total{route="books",method="GET",status_class="2xx"}'), 5);
    assert.equal(value('gateway_http_requests_total{route="books",method="POST",status_class="4xx"}'), 3);
    assert.equal(value('gateway_http_requests_total{route="web",method="GET",status_class="2xx"}'), 2);
    assert.equal(
      value('gateway_http_requests_total{route="-",method="OTHER",status_class="4xx"}'),
      1,
      'unknown methods fold into OTHER',
    );
    assert.equal(value('gateway_http_request_duration_seconds_count{route="books"}'), 8);
    assert.equal(value('gateway_http_request_duration_seconds_bucket{route="books",le="+Inf"}'), 8);
    assert.ok(value('gateway_http_request_duration_seconds_bucket{route="books",le="0.005"}')! >= 1);
    assert.ok(value('gateway_http_request_duration_seconds_sum{route="books"}')! >= 0);
    assert.equal(value('gateway_metrics_invalid_lines_total'), 0);
    await new Promise((r) => setTimeout(r, 1_100)); // one more flush: nothing else arrives
    assert.equal(requestsTotal(parseMetrics(await (await fetch(metricsUrl)).text())), 11, '/healthz is not counted');
  });

  it('the metrics endpoint is not reachable through the gateway', async () => {
    const reply = await send(`${fx.gateway.url}/metrics`);
    assert.equal(JSON.parse(reply.body).backend, 'web-0', '/metrics is just a path of the web route');
    assert.notEqual(fx.gateway.options.metrics!.port, fx.gateway.options.listenPort);
  });
});
