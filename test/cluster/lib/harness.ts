// What the root hook (test/cluster/hooks.ts) prepared, for the spec files. Only valid inside `npm run test:cluster`.
import type { Stack } from '@pulumi/pulumi/automation';
import type { Kube } from '../../e2e/lib/kube';
import type { StackSetup } from '../../e2e/lib/stack';
import type { Toolchain } from '../../e2e/lib/toolchain';
import type { LocalCluster } from '../../../scripts/cluster/node';

export interface ClusterHarness {
  toolchain: Toolchain;
  cluster: LocalCluster;
  kube: Kube;
  stack: Stack;
  setup: StackSetup;
  namespace: string;
  gatewayUrl: string;
  writeToken: string;
  /** Records a timing for the summary and for `npm run bench` (.cache/cluster/timings.json). */
  time: <T>(label: string, body: () => Promise<T>) => Promise<T>;
}

let current: ClusterHarness | undefined;

export function setHarness(harness: ClusterHarness | undefined): void {
  current = harness;
}

export function harness(): ClusterHarness {
  if (!current)
    throw new Error('the cluster harness is not set up (run through `npm run test:cluster`: test/cluster/hooks.ts)');
  return current;
}
