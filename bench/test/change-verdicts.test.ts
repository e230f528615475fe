import assert from 'node:assert/strict';
import {
  CHANGE_CONFIDENCE,
  CHANGE_PLAN,
  changeDecided,
  changeVerdicts,
  HAND_STEPS,
  roundsUpReturnedEarly,
  type ChangeRound,
} from '../lib/change-verdicts';
import { UP_STEPS } from '../lib/up-steps';
import { maxRounds } from '../lib/verdict';

/** A round whose `pulumi up` took `upVsHand` × an 8 s hand path and whose no-op preview took `previewVsUp` × the up. */
function round(upVsHand: number, previewVsUp = 0.2, previewChanges: string[] = []): ChangeRound {
  const handSeconds = 8;
  const upSeconds = handSeconds * upVsHand;
  return {
    upSeconds,
    upReturnedSeconds: upSeconds - 0.1,
    pendingWhenUpReturned: [],
    upSteps: Object.fromEntries(UP_STEPS.map((step) => [step, (upSeconds - 0.1) / UP_STEPS.length])) as Record<
      (typeof UP_STEPS)[number],
      number
    >,
    previewSeconds: upSeconds * previewVsUp,
    previewChanges,
    handSeconds,
    handSteps: Object.fromEntries(HAND_STEPS.map((step) => [step, handSeconds / HAND_STEPS.length])) as Record<
      (typeof HAND_STEPS)[number],
      number
    >,
  };
}

const rounds = (ratios: readonly number[]): ChangeRound[] => ratios.map((ratio) => round(ratio));

describe('bench: the change-to-users verdicts and when their rounds stop', () => {
  it('runs 12 rounds first and at most 36, each look judged at 96.7 % so the three keep 90 %', () => {
    assert.equal(CHANGE_PLAN.first, 12);
    assert.equal(maxRounds(CHANGE_PLAN), 36);
    assert.ok(Math.abs(CHANGE_CONFIDENCE - (1 - 0.1 / 3)) < 1e-12, `confidence ${CHANGE_CONFIDENCE}`);
  });

  it('every up within 1.2 × the hand path: met, and no more rounds are asked for', () => {
    const verdicts = changeVerdicts(rounds([1.1, 1.12, 1.08, 1.15, 1.1, 1.11, 1.09, 1.13, 1.1, 1.14, 1.12]));
    assert.equal(verdicts.upVerdict, 'met');
    assert.equal(verdicts.previewVerdict, 'met');
    assert.ok(changeDecided(rounds([1.1, 1.12, 1.08, 1.15, 1.1, 1.11, 1.09, 1.13, 1.1, 1.14, 1.12])));
  });

  it('one stray round at either end does not undecide 11 rounds; two above the bound do (2nd–10th, not 3rd–9th)', () => {
    const clear = [1.1, 1.12, 1.08, 1.15, 1.1, 1.11, 1.09, 1.13, 1.1, 1.14];
    assert.equal(changeVerdicts(rounds([...clear, 1.6])).upVerdict, 'met');
    const twoStray = [...clear.slice(0, 9), 1.6, 1.5];
    assert.equal(changeVerdicts(rounds(twoStray)).upVerdict, 'not decided');
    assert.equal(changeDecided(rounds(twoStray)), false);
  });

  it('ratios on both sides of 1.2: not decided, so the bench runs more rounds', () => {
    const straddling = [1.15, 1.25, 1.18, 1.22, 1.2, 1.24, 1.17, 1.23, 1.19, 1.21, 1.26];
    assert.equal(changeVerdicts(rounds(straddling)).upVerdict, 'not decided');
    assert.equal(changeDecided(rounds(straddling)), false);
  });

  it('every up above 1.2 × the hand path: not met, which is decided too', () => {
    const slow = [1.3, 1.28, 1.35, 1.31, 1.26, 1.29, 1.33, 1.3, 1.27, 1.32, 1.3];
    assert.equal(changeVerdicts(rounds(slow)).upVerdict, 'not met');
    assert.ok(changeDecided(rounds(slow)));
  });

  it('a preview that would change something fails its target however fast it was', () => {
    const withChange = [...rounds(Array(10).fill(1.1)), round(1.1, 0.1, ['kubernetes:apps/v1:Deployment books'])];
    const verdicts = changeVerdicts(withChange);
    assert.equal(verdicts.previewVerdict, 'not met');
    assert.deepEqual(verdicts.previewChanges, ['kubernetes:apps/v1:Deployment books']);
    assert.equal(verdicts.upVerdict, 'met');
  });

  it('names the rounds whose up returned before every workload had rolled out, numbered as the tables are', () => {
    const early = { ...round(1.1), pendingWhenUpReturned: ['Deployment/books: 0/2 updated'] };
    assert.deepEqual(roundsUpReturnedEarly([round(1.1), early, round(1.2), early]), [2, 4]);
    assert.deepEqual(roundsUpReturnedEarly(rounds([1.1, 1.2])), []);
  });
});
