// The gateway-reload drill's tolerance, on made-up records: only resets before a response, inside the reload
// window and within the budget pass.
import { strict as assert } from 'node:assert';
import type { ResponseRecord } from '../../../../bench/lib/load';
import { countReloadFailures, failed, type NumberedFailure } from './reload-resets';

const record = (outcome: { status?: number; errorCode?: string }): ResponseRecord => ({
  index: 0,
  request: { method: 'GET', path: '/books' },
  body: '',
  startedAtMs: 0,
  latencyMs: 1,
  ...outcome,
});
const WINDOW = { start: 1_000, end: 5_000 };

describe('gateway-reload tolerance (reload-resets.ts)', () => {
  const cases: Array<{
    name: string;
    outcome: { status?: number; errorCode?: string };
    at: number;
    tolerated: boolean;
  }> = [
    {
      name: 'reset before a response on a new connection, in the window',
      outcome: { errorCode: 'ECONNRESET(new)' },
      at: 1_001,
      tolerated: true,
    },
    {
      name: 'EPIPE on a reused connection, at the window end',
      outcome: { errorCode: 'EPIPE(reused)' },
      at: 5_000,
      tolerated: true,
    },
    { name: 'reset before the window', outcome: { errorCode: 'ECONNRESET(new)' }, at: 1_000, tolerated: false },
    { name: 'reset after the window', outcome: { errorCode: 'ECONNRESET(new)' }, at: 5_001, tolerated: false },
    { name: 'reset while a response was arriving', outcome: { errorCode: 'ECONNRESET' }, at: 2_000, tolerated: false },
    { name: 'connection refused', outcome: { errorCode: 'ECONNREFUSED(new)' }, at: 2_000, tolerated: false },
    { name: 'timeout', outcome: { errorCode: 'ETIMEDOUT(reused)' }, at: 2_000, tolerated: false },
    { name: '502 from the gateway', outcome: { status: 502 }, at: 2_000, tolerated: false },
  ];
  for (const { name, outcome, at, tolerated } of cases) {
    it(`${tolerated ? 'tolerates' : 'fails'}: ${name}`, () => {
      const failure: NumberedFailure = { record: record(outcome), answeredAs: at };
      assert.equal(failed(failure.record), true);
      const counts = countReloadFailures([failure], 10_000, WINDOW);
      assert.deepEqual([counts.toleratedResets, counts.otherFailures], tolerated ? [1, 0] : [0, 1]);
    });
  }

  it('a 2xx is not a failure', () => assert.equal(failed(record({ status: 204 })), false));

  it('holds the budget at 0.1 % of requests: 10 of 10,000 pass, 11 do not', () => {
    const resets = (n: number): NumberedFailure[] =>
      Array.from({ length: n }, () => ({ record: record({ errorCode: 'ECONNRESET(new)' }), answeredAs: 2_000 }));
    assert.equal(countReloadFailures(resets(10), 10_000, WINDOW).withinBudget, true);
    const over = countReloadFailures(resets(11), 10_000, WINDOW);
    assert.equal(over.withinBudget, false);
    assert.deepEqual(over.byClass, {
      'tolerated reset (before any response, in the reload window): ECONNRESET(new)': 11,
    });
  });
});
