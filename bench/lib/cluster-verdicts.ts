// Issue #16 target 2's verdicts, apart from the cluster that measures them: the rounds each comparison runs, the
// paired per-round ratios it is judged on, and when more rounds could still decide it.
import type { RoundResult } from '../../apps/books-reverse-proxy/bench/compare';
import type { WrkResult } from '../../apps/books-reverse-proxy/bench/wrk';
import {
  judge,
  lookConfidence,
  medianInterval,
  paired,
  type MedianInterval,
  type RoundPlan,
  type Verdict,
} from './verdict';

/** Issue #16 target 2: our gateway's throughput ≥ 0.9 × the seed's, its p99 at the same rate ≤ 1.2 × the seed's. */
export const CLUSTER_TARGETS = {
  minThroughputVsSeed: 0.9,
  maxP99VsSeed: 1.2,
} as const;

/**
 * Closed loop, per connection level: 6 rounds, then 6 more while its verdict is not decided, up to 18 (3 looks at
 * 96.7 %: min–max of 6, the 2nd–11th of 12, 5th–14th of 18), every look on whole cycles of the balanced order
 * (compare.ts). 9 rounds decided both levels in every run before the balanced order (no round of the 2026-12-03
 * 23:21 run below 1.13 against the 0.9 bound); the later looks are there for a run where 6 do not.
 */
export const CLOSED_PLAN: RoundPlan = { first: 6, step: 6, looks: 3 };
/**
 * Paced p99: 12 rounds, then 6 more while not decided, up to 24 (3 looks at 96.7 %: the 2nd–11th of 12, 5th–14th of
 * 18, 7th–18th of 24; whole cycles of the balanced order). A p99 over a few thousand requests is set by the node's stalls (every round's maximum is 17–59 ms
 * whatever the gateway), so the paired ratios swing: 9 fixed rounds of 5 s read 0.27–2.67 in the 2026-12-03 11:12
 * run and left the target undecided (0.69× [0.37×–2.27×]). Rounds of 10 s take twice the requests into each p99, and
 * the stages add rounds only when a run needs them.
 */
export const PACED_PLAN: RoundPlan = { first: 12, step: 6, looks: 3 };

/** The runs' errors, summed: any makes a comparison fail, whatever its ratio. */
export const errorsOf = (runs: readonly { errors: number }[]): number => runs.reduce((sum, run) => sum + run.errors, 0);
export const throughputs = (runs: readonly RoundResult[]): number[] => runs.map((run) => run.requestsPerSecond);
export const p99s = (runs: readonly WrkResult[]): number[] => runs.map((run) => run.latencyUs.p99);

export interface ClusterVerdict {
  /** Over the paired per-round ratios (gateway / seed), at the plan's look confidence. */
  ratio: MedianInterval;
  /** Errors of the runs the target counts (the gateway's for throughput, both for the paced p99). */
  errors: number;
  verdict: Verdict;
}

/** Our gateway's closed-loop throughput against the seed's, round by round. */
export function throughputVerdict(gateway: readonly RoundResult[], seed: readonly RoundResult[]): ClusterVerdict {
  const ratio = medianInterval(paired(throughputs(gateway), throughputs(seed)), lookConfidence(CLOSED_PLAN));
  const errors = errorsOf(gateway);
  return {
    ratio,
    errors,
    verdict: errors > 0 ? 'not met' : judge(ratio, { atLeast: CLUSTER_TARGETS.minThroughputVsSeed }),
  };
}

/** Our gateway's p99 against the seed's at the same constant rate, round by round. */
export function pacedP99Verdict(gateway: readonly WrkResult[], seed: readonly WrkResult[]): ClusterVerdict {
  const ratio = medianInterval(paired(p99s(gateway), p99s(seed)), lookConfidence(PACED_PLAN));
  const errors = errorsOf(gateway) + errorsOf(seed);
  return {
    ratio,
    errors,
    verdict: errors > 0 ? 'not met' : judge(ratio, { atMost: CLUSTER_TARGETS.maxP99VsSeed }),
  };
}

/** Whether more rounds could still change a verdict: it is not "not decided". */
export const decided = ({ verdict }: ClusterVerdict): boolean => verdict !== 'not decided';
