// What the root hook (test/cluster/hooks.ts) prepared, for the spec files. Only valid inside `npm run test:cluster`.
import type { DeployedPlatform } from './deploy';

export interface ClusterHarness extends DeployedPlatform {
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
