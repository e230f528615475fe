// Verdicts that hold from run to run: a target is judged on an interval over the rounds' paired values, never on
// one median. An interval entirely on the right side of the bound → met; entirely on the wrong side → not met;
// straddling it → not decided (the machine's spread, not the code, would decide it).

/** What a check says. "not measured" carries its reason in the check (e.g. the harness is missing here). */
export type Verdict = 'met' | 'not met' | 'not decided' | 'not measured';

/** A bound on a measured value: at least or at most `value`. */
export type Bound = { readonly atLeast: number } | { readonly atMost: number };

/** The median of the rounds and a distribution-free confidence interval for it. */
export interface MedianInterval {
  readonly rounds: number;
  readonly median: number;
  readonly low: number;
  readonly high: number;
  /** Probability that [low, high] holds the true median (rounds independent; no other assumption). */
  readonly coverage: number;
}

/** The confidence the verdicts ask of an interval; below 5 rounds no order-statistic interval reaches it. */
export const VERDICT_CONFIDENCE = 0.9;

/** P(X ≤ k) for X ~ Binomial(n, 1/2). */
function binomialHalfCdf(n: number, k: number): number {
  let term = 2 ** -n; // C(n, 0) / 2^n
  let sum = 0;
  for (let i = 0; i <= k; i++) {
    sum += term;
    term = (term * (n - i)) / (i + 1);
  }
  return sum;
}

/**
 * The order-statistic interval for the median: [x(k), x(n+1−k)] holds it with probability 1 − 2·P(Bin(n, ½) ≤ k−1).
 * The narrowest such interval with at least `confidence`; with too few rounds for it, min–max (its coverage says how
 * much it is worth). 5 rounds → min–max (94 %), 9 → 2nd–8th (96 %), 11 → 3rd–9th (93 %), 13 → 4th–10th (91 %).
 */
export function medianInterval(values: readonly number[], confidence = VERDICT_CONFIDENCE): MedianInterval {
  const n = values.length;
  if (n === 0) throw new Error('an interval over no rounds');
  const sorted = [...values].sort((a, b) => a - b);
  const coverageOf = (k: number): number => 1 - 2 * binomialHalfCdf(n, k - 1);
  let k = 1;
  while (k + 1 <= Math.ceil(n / 2) && coverageOf(k + 1) >= confidence) k++;
  return {
    rounds: n,
    median: sorted[Math.floor(n / 2)]!,
    low: sorted[k - 1]!,
    high: sorted[n - k]!,
    coverage: n === 1 ? 0 : coverageOf(k),
  };
}

/** `of[i] / over[i]` for every round i: the paired per-round ratios a verdict judges. */
export const paired = (of: readonly number[], over: readonly number[]): number[] =>
  of.map((value, i) => value / over[i]!);

/** Met only when the whole interval clears the bound, not met when all of it misses, else not decided. */
export function judge(interval: Pick<MedianInterval, 'low' | 'high'>, bound: Bound): Exclude<Verdict, 'not measured'> {
  const [clears, misses] =
    'atLeast' in bound
      ? [interval.low >= bound.atLeast, interval.high < bound.atLeast]
      : [interval.high <= bound.atMost, interval.low > bound.atMost];
  return clears ? 'met' : misses ? 'not met' : 'not decided';
}

/** "0.94× [0.92×–0.99×, 5 rounds, 94 %]": the median, then the interval the verdict was judged on. */
export function describeInterval(interval: MedianInterval, format: (value: number) => string): string {
  const confidence = `${Math.round(interval.coverage * 100)} %`;
  return `${format(interval.median)} [${format(interval.low)}–${format(interval.high)}, ${interval.rounds} rounds, ${confidence}]`;
}

/**
 * Rounds in stages, for targets whose spread no fixed count decides at an affordable cost: `first` rounds, then `step`
 * more after each look that leaves a verdict not decided, at most `looks` looks. Every look judges its interval at
 * {@link lookConfidence} (Bonferroni over the looks), so the chance that any look's interval misses the median — and
 * with it the chance of a wrong verdict — stays ≤ 1 − VERDICT_CONFIDENCE however early the rounds stop: stopping once
 * decided does not buy a verdict the rounds do not support, it only spends the extra rounds where they are needed.
 */
export interface RoundPlan {
  readonly first: number;
  readonly step: number;
  readonly looks: number;
}

/** The confidence each look's interval is judged at: 1 − (1 − VERDICT_CONFIDENCE) / looks. */
export function lookConfidence(plan: RoundPlan): number {
  return 1 - (1 - VERDICT_CONFIDENCE) / plan.looks;
}

/** The most rounds the plan runs: every look taken. */
export function maxRounds(plan: RoundPlan): number {
  return plan.first + plan.step * (plan.looks - 1);
}

/** After a look at `done` rounds: how many more to run (0 when decided or when the plan's looks are spent). */
export function moreRounds(plan: RoundPlan, done: number, decided: boolean): number {
  return decided ? 0 : Math.min(plan.step, maxRounds(plan) - done);
}

const percent = (fraction: number): string => `${Number((fraction * 100).toFixed(1))} %`;

/** "13 rounds, then 13 more while undecided, up to 52 (each look at 97.5 %)": a plan as the methods print it. */
export function describePlan(plan: RoundPlan): string {
  return plan.looks === 1
    ? `${plan.first} rounds`
    : `${plan.first} rounds, then ${plan.step} more while a verdict is not decided, up to ${maxRounds(plan)} ` +
        `(each of the ${plan.looks} looks judged at ${percent(lookConfidence(plan))}, so all together keep ${percent(VERDICT_CONFIDENCE)})`;
}
