import assert from 'node:assert/strict';
import type { RoundResult } from '../../apps/books-reverse-proxy/bench/compare';
import type { WrkResult } from '../../apps/books-reverse-proxy/bench/wrk';
import { CLOSED_PLAN, decided, PACED_PLAN, pacedP99Verdict, throughputVerdict } from '../lib/cluster-verdicts';
import { lookConfidence, maxRounds } from '../lib/verdict';

/** A closed-loop run at `requestsPerSecond`, with `errors` failed requests. */
const closedRun = (requestsPerSecond: number, errors = 0): RoundResult => ({
  requestsPerSecond,
  p50Micros: 1000,
  p99Micros: 3000,
  errors,
});

/** A paced run whose p99 was `p99` µs. */
const pacedRun = (p99: number, errors = 0): WrkResult => ({
  requests: 8220,
  durationSeconds: 10,
  requestsPerSecond: 822,
  errors,
  nonSuccessResponses: 0,
  latencyUs: { p50: 650, p90: 2000, p99, max: 40_000, mean: 900 },
  lateSends: 0,
});

/** Paced rounds whose gateway / seed p99 ratios are `ratios` (the seed's p99 10 ms each round). */
function pacedRounds(ratios: readonly number[]): { gateway: WrkResult[]; seed: WrkResult[] } {
  return { gateway: ratios.map((ratio) => pacedRun(10_000 * ratio)), seed: ratios.map(() => pacedRun(10_000)) };
}

describe('bench: the in-cluster gateway verdicts and when their rounds stop', () => {
  it('closed loop: 6 rounds, at most 18; paced p99: 12 rounds, at most 24; the looks together keep 90 %', () => {
    assert.equal(CLOSED_PLAN.first, 6);
    assert.equal(maxRounds(CLOSED_PLAN), 18);
    assert.equal(PACED_PLAN.first, 12);
    assert.equal(maxRounds(PACED_PLAN), 24);
    assert.ok(Math.abs(lookConfidence(PACED_PLAN) - (1 - 0.1 / 3)) < 1e-12);
  });

  it('throughput: judged on the paired per-round ratios, so a slow minute both gateways share cancels', () => {
    // The machine slows to half speed in rounds 4–6; the gateway stays 1.3 × the seed in every round.
    const speeds = [1, 1, 1, 0.5, 0.5, 0.5, 1, 1, 1];
    const verdict = throughputVerdict(
      speeds.map((speed) => closedRun(1300 * speed)),
      speeds.map((speed) => closedRun(1000 * speed)),
    );
    assert.equal(verdict.verdict, 'met');
    assert.ok(Math.abs(verdict.ratio.median - 1.3) < 1e-9 && Math.abs(verdict.ratio.low - 1.3) < 1e-9);
    assert.ok(decided(verdict));
  });

  it('throughput: one gateway error fails the target at any ratio', () => {
    const gateway = Array.from({ length: 9 }, (_, round) => closedRun(2000, round === 4 ? 1 : 0));
    const verdict = throughputVerdict(
      gateway,
      Array.from({ length: 9 }, () => closedRun(1000)),
    );
    assert.equal(verdict.verdict, 'not met');
    assert.equal(verdict.errors, 1);
    assert.ok(decided(verdict));
  });

  it('throughput: ratios on both sides of 0.9 leave it not decided, so the bench runs 9 more rounds', () => {
    const ratios = [0.85, 0.95, 0.88, 0.92, 0.9, 0.93, 0.87, 0.91, 0.89];
    const verdict = throughputVerdict(
      ratios.map((ratio) => closedRun(1000 * ratio)),
      ratios.map(() => closedRun(1000)),
    );
    assert.equal(verdict.verdict, 'not decided');
    assert.equal(decided(verdict), false);
  });

  it('paced p99: the 11:12 run’s nine ratios are not decided at the first look (min–max of 9)', () => {
    const { gateway, seed } = pacedRounds([0.37, 1.06, 0.69, 0.73, 0.27, 0.4, 2.27, 2.67, 0.55]);
    const verdict = pacedP99Verdict(gateway, seed);
    assert.equal(verdict.verdict, 'not decided');
    assert.equal(verdict.ratio.low, 0.27);
    assert.equal(verdict.ratio.high, 2.67);
  });

  it('paced p99: at 18 rounds two high ratios at the top no longer undecide it (5th–14th)', () => {
    const low = [0.6, 0.7, 0.65, 0.8, 0.75, 0.9, 0.7, 0.85, 0.6, 0.95, 0.7, 0.8, 0.9, 1.1, 0.75, 0.8];
    const { gateway, seed } = pacedRounds([...low, 2.3, 2.7]);
    const verdict = pacedP99Verdict(gateway, seed);
    assert.equal(verdict.verdict, 'met');
    assert.equal(verdict.ratio.rounds, 18);
    assert.ok(verdict.ratio.high <= 1.2, `high ${verdict.ratio.high}`);
  });

  it('paced p99: every ratio above 1.2 is not met; an error on either side is not met', () => {
    const slow = pacedRounds([1.3, 1.5, 1.4, 1.35, 1.6, 1.3, 1.45, 1.5, 1.4]);
    assert.equal(pacedP99Verdict(slow.gateway, slow.seed).verdict, 'not met');
    const fast = pacedRounds([0.5, 0.6, 0.55, 0.5, 0.6, 0.7, 0.5, 0.6, 0.55]);
    assert.equal(pacedP99Verdict(fast.gateway, fast.seed).verdict, 'met');
    const seedError = fast.seed.map((run, round) => (round === 0 ? { ...run, errors: 2 } : run));
    const verdict = pacedP99Verdict(fast.gateway, seedError);
    assert.equal(verdict.verdict, 'not met');
    assert.equal(verdict.errors, 2);
  });
});
