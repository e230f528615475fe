import assert from 'node:assert/strict';
import { inRotation, medianBy, runRounds, summarize, type RoundResult, type Samples } from '../../bench/compare';
import { assertLoopback, inProjectNamespace } from '../../bench/loopback';

const result = (requestsPerSecond: number, p50Micros: number): RoundResult => ({
  requestsPerSecond,
  p50Micros,
  p99Micros: p50Micros * 3,
  errors: 0,
});

describe('bench: paired comparison of direct / bare proxy / gateway', () => {
  // Round 2 ran on a slow minute: every target lost half its throughput. Paired ratios ignore it; ratios of
  // per-target medians would pair round 1's gateway with round 3's bare proxy.
  const samples: Samples = {
    direct: [result(1000, 100), result(500, 200), result(1100, 90)],
    'bare-proxy': [result(800, 130), result(400, 260), result(900, 120)],
    gateway: [result(760, 140), result(360, 280), result(882, 125)],
  };
  const summary = summarize(1, samples);

  it('takes the median of per-round ratios and keeps every round, in round order', () => {
    assert.equal(summary.connections, 1);
    assert.equal(summary.throughputVsBareProxy, 0.95); // rounds: 0.95, 0.90, 0.98
    assert.deepEqual(summary.throughputVsBareProxyRounds, [0.95, 0.9, 0.98]);
    assert.equal(summary.throughputVsDirect, 0.76); // rounds: 0.76, 0.72, 0.80
  });

  it('takes the median of per-round p50 ratios and differences, for the gateway and for the bare hop alone', () => {
    assert.deepEqual(
      summary.p50VsBareProxyRounds.map((r) => r.toFixed(3)),
      ['1.077', '1.077', '1.042'], // 140/130, 280/260, 125/120
    );
    assert.equal(summary.p50VsBareProxy.toFixed(3), '1.077');
    // Ratios 1.5, 1.0, 1.2: the median is neither the first, the extremes nor the mean (1.233).
    const spread = summarize(1, {
      direct: [result(1000, 50), result(1000, 50), result(1000, 50)],
      'bare-proxy': [result(900, 100), result(900, 100), result(900, 100)],
      gateway: [result(800, 150), result(800, 100), result(800, 120)],
    });
    assert.equal(spread.p50VsBareProxy, 1.2);
    assert.equal(summary.p50AddedVsDirectMicros, 40); // rounds: 40, 80, 35
    assert.equal(summary.p50AddedVsBareProxyMicros, 10); // rounds: 10, 20, 5
    assert.equal(summary.bareProxyP50AddedVsDirectMicros, 30); // rounds: 30, 60, 30
  });

  it('medianBy returns the item with the median key (the upper one of an even count), never a blend', () => {
    const runs = [{ p99: 1230 }, { p99: 840 }, { p99: 905 }];
    assert.equal(
      medianBy(runs, (run) => run.p99),
      runs[2],
    );
    assert.equal(
      medianBy([4, 1, 3, 2], (value) => value),
      3,
    );
    assert.throws(() => medianBy([], (value: number) => value), /median of no measurement/);
  });

  it('inRotation starts each round one target later, wrapping, and keeps every target once', () => {
    const targets = ['direct', 'bare-proxy', 'gateway'] as const;
    assert.deepEqual(inRotation(targets, 0), ['direct', 'bare-proxy', 'gateway']);
    assert.deepEqual(inRotation(targets, 1), ['bare-proxy', 'gateway', 'direct']);
    assert.deepEqual(inRotation(targets, 5), ['gateway', 'direct', 'bare-proxy']);
  });

  it('runRounds runs the first batch, then the batches asked for, numbering rounds on', async () => {
    const ran: number[] = [];
    const told: number[] = [];
    const asks = [2, 0, 5];
    const done = await runRounds(
      3,
      (doneSoFar) => (told.push(doneSoFar), asks.shift()!),
      async (round) => void ran.push(round),
    );
    assert.equal(done, 5);
    assert.deepEqual(ran, [0, 1, 2, 3, 4]);
    assert.deepEqual(told, [3, 5], 'each ask is told the rounds run so far');
    assert.deepEqual(asks, [5], 'nothing asked after a batch of none');
    assert.equal(
      await runRounds(
        2,
        () => 0,
        async () => undefined,
      ),
      2,
    );
  });

  it('sends load only to loopback', () => {
    for (const url of ['http://127.0.0.1:8080/x', 'http://localhost/', 'http://[::1]:1/'])
      assert.equal(assertLoopback(url).href, new URL(url).href);
    for (const url of ['http://10.0.0.1/', 'http://example.test/', 'http://127.0.0.1.example.test/'])
      assert.throws(() => assertLoopback(url), /only sent to loopback/);
  });

  it("counts an address as the local cluster's only inside a books-* interface's subnet", () => {
    const entry = (address: string, netmask: string) => ({
      address,
      netmask,
      family: 'IPv4' as const,
      mac: '00:00:00:00:00:00',
      internal: false,
      cidr: null,
    });
    const interfaces = {
      'books-host': [entry('10.213.0.1', '255.255.255.252')],
      eth0: [entry('192.0.2.2', '255.255.255.0')],
    };
    assert.equal(inProjectNamespace('10.213.0.2', interfaces), true);
    assert.equal(inProjectNamespace('10.213.0.5', interfaces), false, 'outside the /30');
    assert.equal(inProjectNamespace('192.0.2.1', interfaces), false, 'on-link, but not a books-* interface');
    assert.equal(inProjectNamespace('example.test', interfaces), false);
    assert.equal(inProjectNamespace('10.213.0.2', { eth0: interfaces.eth0 }), false, 'no cluster, no exception');
  });
});
