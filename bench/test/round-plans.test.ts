import { strict as assert } from 'node:assert';
import { balancedCycle, PROXY_TARGETS } from '../../apps/books-reverse-proxy/bench/compare';
import { CHANGE_PATHS, CHANGE_PLAN } from '../lib/change-verdicts';
import { CLUSTER_GATEWAYS } from '../lib/cluster-gateways';
import { CLOSED_PLAN, PACED_PLAN } from '../lib/cluster-verdicts';
import type { RoundPlan } from '../lib/verdict';
import { CONSTANT_RATE_PLAN } from '../sections/constant-rate';
import { GATEWAY_PLAN } from '../sections/gateway';

// A look taken inside a cycle of the balanced order judges rounds in which some target ran after another more often
// than the rest: the carryover the order is there to cancel.
const PLANS: [string, RoundPlan, readonly unknown[]][] = [
  ['gateway closed loop', GATEWAY_PLAN, PROXY_TARGETS],
  ['constant rate', CONSTANT_RATE_PLAN, PROXY_TARGETS],
  ['cluster closed loop', CLOSED_PLAN, CLUSTER_GATEWAYS],
  ['cluster paced', PACED_PLAN, CLUSTER_GATEWAYS],
  ['change to users', CHANGE_PLAN, CHANGE_PATHS],
];

describe('bench: every look of every round plan falls on whole cycles of its balanced order', () => {
  for (const [name, plan, targets] of PLANS) {
    it(`${name}: ${plan.first} rounds, then ${plan.step} more (cycles of ${balancedCycle(targets).length})`, () => {
      const cycle = balancedCycle(targets).length;
      assert.equal(plan.first % cycle, 0, `first look after ${plan.first} rounds`);
      assert.equal(plan.step % cycle, 0, `${plan.step} rounds between looks`);
    });
  }
});
