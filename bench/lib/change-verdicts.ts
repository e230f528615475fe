// Issue #16 target 3's verdicts, apart from the cluster that measures them: the rounds a change comparison runs, the
// paired per-round ratios they are judged on, and when more rounds could still decide them.
import {
  judge,
  lookConfidence,
  medianInterval,
  paired,
  type MedianInterval,
  type RoundPlan,
  type Verdict,
} from './verdict';
import type { UpStep } from './up-steps';

/** The two paths a change round runs, in this order in its first round (bench/lib/change-to-users.ts). */
export const CHANGE_PATHS = ['pulumi', 'hand'] as const;

/** Issue #16 target 3: `pulumi up` of a change ≤ 1.2 × the hand path; a no-op preview ≤ 0.25 × that up. */
export const CHANGE_TARGETS = { maxUpVsHand: 1.2, maxPreviewVsUp: 0.25 } as const;

/**
 * 12 rounds, then 12 more while a verdict is not decided, up to 36 (3 looks, each judged at 96.7 %: the 2nd–11th of
 * 12 paired ratios; whole cycles of the two paths' balanced order, which alternates them). 9 fixed rounds left `pulumi up` vs the hand path undecided in the 2026-12-02 19:56 run
 * (1.24× [1.19×–1.38×]): the ratio sits near its bound, so only more rounds can decide it either way.
 */
export const CHANGE_PLAN: RoundPlan = { first: 12, step: 12, looks: 3 };
/** The confidence the change verdicts' intervals are judged at (bench/lib/verdict.ts, Bonferroni over the looks). */
export const CHANGE_CONFIDENCE = lookConfidence(CHANGE_PLAN);

/** The hand path's steps, timed one by one: what a user of the seed design runs for the same change. */
export const HAND_STEPS = [
  'docker build',
  'docker push',
  'kubectl set image',
  'kubectl rollout status',
  'rolled out + serving',
] as const;
export type HandStep = (typeof HAND_STEPS)[number];

export interface ChangeRound {
  /** `pulumi up` of the change until every new pod is Ready and the gateway answers. */
  upSeconds: number;
  /** When `pulumi up` itself returned (before the pods may all be Ready: pulumi/pulumi-kubernetes#3329). */
  upReturnedSeconds: number;
  /** What had not rolled out when `pulumi up` returned (empty: everything had), e.g. `Deployment/books: 0/2 updated`. */
  pendingWhenUpReturned: string[];
  /** That up until it returned, split by the engine's events (bench/lib/up-steps.ts). */
  upSteps: Record<UpStep, number>;
  /** A `pulumi preview` right after that up: nothing changed. */
  previewSeconds: number;
  /** What that preview would change (none expected: anything here makes the preview not a no-op). */
  previewChanges: string[];
  handSeconds: number;
  handSteps: Record<HandStep, number>;
}

/** The change targets' intervals over the paired per-round ratios (at the plan's look confidence) and verdicts. */
export interface ChangeVerdicts {
  upVsHand: MedianInterval;
  previewVsUp: MedianInterval;
  /** What the no-op previews would have changed (anything here fails the preview target). */
  previewChanges: string[];
  upVerdict: Verdict;
  previewVerdict: Verdict;
}

export function changeVerdicts(rounds: readonly ChangeRound[]): ChangeVerdicts {
  const upVsHand = medianInterval(
    paired(
      rounds.map((round) => round.upSeconds),
      rounds.map((round) => round.handSeconds),
    ),
    CHANGE_CONFIDENCE,
  );
  const previewVsUp = medianInterval(
    paired(
      rounds.map((round) => round.previewSeconds),
      rounds.map((round) => round.upSeconds),
    ),
    CHANGE_CONFIDENCE,
  );
  const previewChanges = [...new Set(rounds.flatMap((round) => round.previewChanges))];
  return {
    upVsHand,
    previewVsUp,
    previewChanges,
    upVerdict: judge(upVsHand, { atMost: CHANGE_TARGETS.maxUpVsHand }),
    previewVerdict:
      previewChanges.length > 0 ? 'not met' : judge(previewVsUp, { atMost: CHANGE_TARGETS.maxPreviewVsUp }),
  };
}

/** Whether more change rounds could still decide something: neither verdict is left "not decided". */
export const changeDecided = (rounds: readonly ChangeRound[]): boolean => {
  const { upVerdict, previewVerdict } = changeVerdicts(rounds);
  return upVerdict !== 'not decided' && previewVerdict !== 'not decided';
};

/** The rounds whose `pulumi up` returned before every workload had rolled out (1-based, as the tables number them). */
export const roundsUpReturnedEarly = (rounds: readonly ChangeRound[]): number[] =>
  rounds.flatMap((round, i) => (round.pendingWhenUpReturned.length > 0 ? [i + 1] : []));
