import assert from 'node:assert/strict';
import { describePollingDuring } from '../lib/machine';
import { checksTable, tally, verdictCell, type Check } from '../lib/report';
import { describeInterval, judge, medianInterval } from '../lib/verdict';

describe('bench verdicts: an interval over the rounds, judged against the target', () => {
  it('5 rounds: the interval is min–max, which holds the median with 1 − 2/32 = 94 %', () => {
    const interval = medianInterval([0.93, 0.83, 1.03, 0.95, 0.9]);
    assert.deepEqual(
      { median: interval.median, low: interval.low, high: interval.high, rounds: interval.rounds },
      { median: 0.93, low: 0.83, high: 1.03, rounds: 5 },
    );
    assert.equal(interval.coverage, 1 - 2 / 32);
  });

  it('9 rounds: the 2nd–8th values (96 %), so one stray round at either end does not widen it', () => {
    const interval = medianInterval([0.95, 0.5, 0.96, 0.97, 0.98, 0.99, 1.0, 1.01, 1.6]);
    assert.equal(interval.low, 0.95);
    assert.equal(interval.high, 1.01);
    assert.equal(interval.median, 0.98);
    assert.equal(interval.coverage, 1 - (2 * (1 + 9)) / 512);
  });

  it('11 rounds: the 3rd–9th values (93 %), the narrowest with at least 90 %', () => {
    const values = Array.from({ length: 11 }, (_, i) => i + 1);
    const interval = medianInterval(values);
    assert.deepEqual([interval.low, interval.high, interval.median], [3, 9, 6]);
    assert.ok(interval.coverage >= 0.9 && interval.coverage < 0.94, `coverage ${interval.coverage}`);
  });

  it('13 rounds (the gateway section): the 4th–10th values (91 %), three stray rounds at either end dropped', () => {
    const values = [13, 1, 12, 2, 11, 3, 10, 4, 9, 5, 8, 6, 7];
    const interval = medianInterval(values);
    assert.deepEqual([interval.low, interval.high, interval.median], [4, 10, 7]);
    assert.ok(interval.coverage >= 0.9 && interval.coverage < 0.91, `coverage ${interval.coverage}`);
  });

  it('too few rounds for 90 %: min–max, and its coverage says how little it is worth', () => {
    const interval = medianInterval([3, 1, 2]);
    assert.deepEqual([interval.low, interval.high, interval.coverage], [1, 3, 0.75]);
    assert.equal(medianInterval([7]).coverage, 0);
    assert.throws(() => medianInterval([]), /no rounds/);
  });

  it('met only when the whole interval clears the bound; not met when all of it misses; else not decided', () => {
    assert.equal(judge({ low: 0.91, high: 0.99 }, { atLeast: 0.9 }), 'met');
    assert.equal(judge({ low: 0.9, high: 0.99 }, { atLeast: 0.9 }), 'met');
    assert.equal(judge({ low: 0.83, high: 1.03 }, { atLeast: 0.9 }), 'not decided');
    assert.equal(judge({ low: 0.7, high: 0.89 }, { atLeast: 0.9 }), 'not met');
    assert.equal(judge({ low: 1.07, high: 1.15 }, { atMost: 1.2 }), 'met');
    assert.equal(judge({ low: 1.1, high: 1.3 }, { atMost: 1.2 }), 'not decided');
    assert.equal(judge({ low: 1.21, high: 1.3 }, { atMost: 1.2 }), 'not met');
  });

  it('describes the median, then the interval it was judged on', () => {
    const text = describeInterval(medianInterval([0.92, 0.94, 0.99, 0.93, 0.95]), (v) => `${v.toFixed(2)}×`);
    assert.equal(text, '0.94× [0.92×–0.99×, 5 rounds, 94 %]');
  });
});

describe('bench verdict column: the polling setting goes with every measured verdict', () => {
  const check = (verdict: Check['verdict'], why?: string): Check => ({
    name: 'n',
    target: 't',
    measured: 'm',
    verdict,
    why,
  });

  it('prints the polling setting beside met, not met and not decided', () => {
    assert.equal(verdictCell(check('met'), '200 µs'), 'met (polling 200 µs)');
    assert.equal(verdictCell(check('not met'), 'off (0)'), 'NOT MET (polling off (0))');
    assert.equal(verdictCell(check('not decided'), '200 µs'), 'NOT DECIDED (polling 200 µs)');
    assert.deepEqual(checksTable([check('met')], '200 µs').rows, [['n', 't', 'm', 'met (polling 200 µs)']]);
  });

  it('a target not measured says why, and is never counted as met', () => {
    const cell = verdictCell(check('not measured', 'the real-cluster harness is not in the bench'), '200 µs');
    assert.equal(cell, 'not measured: the real-cluster harness is not in the bench');
    const summary = tally([check('met'), check('not measured', 'x'), check('not decided')]);
    assert.match(summary, /^1 met, 1 not decided, 1 not measured\n {2}NOT DECIDED: n$/);
  });

  it('the polling setting of a section: one value, or both when it changed during the section', () => {
    assert.equal(describePollingDuring(200000, 200000), '200 µs');
    assert.equal(describePollingDuring(0, 200000), 'off (0) → 200 µs');
    assert.equal(describePollingDuring(null, null), 'no haltpoll driver');
  });
});
