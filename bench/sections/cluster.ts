// Issue #16 targets 2 and 3 need a real Kubernetes cluster (issue #14): the gateway against the seed design's stock
// nginx, both as pods behind kube-proxy, and the time from a books change to users. This bench has no cluster
// harness yet, so the targets are listed with their ratios and reported as not measured, never as met.
import type { Check, SectionResult } from '../lib/report';

const WHY = 'not measurable here yet, because the real-cluster harness is not in the bench';

const TARGETS: readonly Omit<Check, 'measured' | 'verdict' | 'why'>[] = [
  {
    name: "in the cluster: our gateway's throughput vs the seed design's stock nginx (two proxy_pass locations, no keepalive), every feature on",
    target: '≥ 0.90×',
  },
  { name: "in the cluster: our gateway's p99 vs the seed design's stock nginx, same rate", target: '≤ 1.20×' },
  {
    name: 'change to users: `pulumi up` of a books source change (build, push, roll, all new pods Ready and serving) vs docker build + push + kubectl set image + rollout status',
    target: '≤ 1.20×',
  },
  { name: 'no-op `pulumi preview` vs `pulumi up` of that change', target: '≤ 0.25×' },
];

export async function clusterSection(): Promise<SectionResult> {
  return {
    title: 'In a real cluster: the gateway vs the seed design, and the time from a change to users',
    method: `Issue #16 targets 2 and 3, measured as ratios in one run on a real single-node cluster (issue #14): ${WHY}.`,
    tables: [],
    checks: TARGETS.map((target) => ({ ...target, measured: 'not measured', verdict: 'not measured', why: WHY })),
    data: { measured: false, why: WHY },
  };
}
