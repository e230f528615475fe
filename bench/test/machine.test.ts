import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CgroupCpuMeter, cpuShares, usageSince, type CpuCounters } from '../lib/machine';

describe('bench machine table: whose CPU time the run used', () => {
  it('counts a cgroup’s usage between readings, a new cgroup’s whole usage, nothing while it is gone', () => {
    assert.equal(usageSince(5, 8), 3);
    assert.equal(usageSince(5, 5), 0);
    assert.equal(usageSince(undefined, 7), 7, 'appeared since the last reading');
    assert.equal(usageSince(9, 2), 2, 'removed and made again between two readings');
    assert.equal(usageSince(9, undefined), 0, 'removed');
  });

  describe('CgroupCpuMeter', () => {
    let root: string;
    const setUsage = (cgroup: string, ns: number): void => {
      mkdirSync(join(root, cgroup), { recursive: true });
      writeFileSync(join(root, cgroup, 'cpuacct.usage'), `${ns}\n`);
    };
    beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'bench-cpuacct-'))));
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('adds up, in clock ticks, what its cgroups used since it started, across removal and re-creation', () => {
      setUsage('cluster', 40e9); // used before the run: not the run's
      const meter = new CgroupCpuMeter(root, ['cluster', 'engine'], 60_000);
      try {
        assert.equal(meter.read(), 0);
        setUsage('cluster', 42e9);
        assert.equal(meter.read(), 200, '2 s of CPU = 200 ticks');
        setUsage('engine', 0.5e9); // started during the run
        assert.equal(meter.read(), 250);
        rmSync(join(root, 'cluster'), { recursive: true });
        assert.equal(meter.read(), 250, 'a stopped cluster adds nothing');
        setUsage('cluster', 0.1e9); // started again
        assert.equal(meter.read(), 260);
      } finally {
        meter.stop();
      }
    });
  });

  it('gives the system under test’s CPU time to the bench, not to the neighbours', () => {
    const start: CpuCounters = { wallMs: 0, busy: 1000, steal: 0, self: 100, systemUnderTest: 0 };
    // 10 s on 2 CPUs = 2000 ticks of capacity; 1200 busy: 300 the bench's processes, 600 the cluster, 300 others.
    const end: CpuCounters = { wallMs: 10_000, busy: 2200, steal: 20, self: 400, systemUnderTest: 600 };
    const shares = cpuShares(start, end, 2);
    assert.equal(shares.bench, 0.45);
    assert.equal(shares.others, 0.15);
    assert.equal(shares.steal, 0.01);
  });
});
