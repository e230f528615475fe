import assert from 'node:assert/strict';
import {
  balancedCycle,
  balancedOrder,
  medianBy,
  runRounds,
  summarize,
  type RoundResult,
  type Samples,
} from '../../bench/compare';
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

  /** Over the cycle as one loop of runs (the last round's last run before the first round's first): who ran before whom. */
  function predecessors<T>(cycle: T[][]): Map<string, number> {
    const runs = cycle.flat();
    const counts = new Map<string, number>();
    runs.forEach((run, i) => {
      const key = `${String(runs.at(i - 1))}>${String(run)}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    });
    return counts;
  }

  for (const targets of [['a'], ['a', 'b'], ['direct', 'bare-proxy', 'gateway']]) {
    it(`balancedCycle of ${targets.length}: every target after every other equally often, and in every position`, () => {
      const cycle = balancedCycle(targets);
      assert.equal(cycle.length, targets.length === 3 ? 6 : targets.length);
      for (const order of cycle) assert.deepEqual([...order].sort(), [...targets].sort(), 'each round runs each once');
      const counts = predecessors(cycle);
      const count = (before: string, after: string): number => counts.get(`${before}>${after}`) ?? 0;
      const others = targets.flatMap((after) =>
        targets.filter((b) => b !== after).map((before) => count(before, after)),
      );
      const selves = targets.map((target) => count(target, target));
      assert.equal(new Set(others).size <= 1, true, `after another: ${others.join(', ')}`);
      assert.equal(new Set(selves).size, 1, `after itself: ${selves.join(', ')}`);
      for (let position = 0; position < targets.length; position++) {
        const holders = targets.map((target) => cycle.filter((order) => order[position] === target).length);
        assert.equal(new Set(holders).size, 1, `position ${position}: ${holders.join(', ')}`);
      }
    });
  }

  it('a plain rotation of three would not be balanced: the reason balancedCycle adds the reversed orders', () => {
    const rotations = [
      ['d', 'b', 'g'],
      ['b', 'g', 'd'],
      ['g', 'd', 'b'],
    ];
    const counts = predecessors(rotations);
    // Within each round the gateway runs right after the bare proxy; only one round boundary turns that around.
    assert.equal(counts.get('b>g'), 2, 'the gateway after the bare proxy');
    assert.equal(counts.get('g>b'), 1, 'the bare proxy after the gateway');
    const cycle = predecessors(balancedCycle(['d', 'b', 'g']));
    assert.equal(cycle.get('b>g'), 3);
    assert.equal(cycle.get('g>b'), 3);
  });

  it('balancedOrder walks the cycle, wrapping both ways, and refuses more than 3 targets', () => {
    const targets = ['direct', 'bare-proxy', 'gateway'] as const;
    const cycle = balancedCycle(targets);
    assert.deepEqual(balancedOrder(targets, 0), ['direct', 'bare-proxy', 'gateway']);
    assert.deepEqual(balancedOrder(targets, 1), ['bare-proxy', 'gateway', 'direct']);
    assert.deepEqual(balancedOrder(targets, 3), ['gateway', 'bare-proxy', 'direct']);
    assert.deepEqual(balancedOrder(targets, 6), balancedOrder(targets, 0));
    assert.deepEqual(balancedOrder(targets, -1), cycle[5]);
    assert.deepEqual(balancedOrder(['pulumi', 'hand'], 1), ['hand', 'pulumi']);
    assert.throws(() => balancedCycle([1, 2, 3, 4]), /at most 3/);
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
