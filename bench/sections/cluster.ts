// Issue #16 targets 2 and 3 on a real single-node cluster (scripts/cluster, issue #14), the platform deployed as
// `npm run test:cluster` deploys it (test/cluster/lib/deploy.ts): our gateway against the seed design's stock nginx
// as pods behind kube-proxy (bench/lib/cluster-gateways.ts), and the time from a books change to users through
// `pulumi up` against the hand-made docker/kubectl path (bench/lib/change-to-users.ts).
import { medianBy } from '../../apps/books-reverse-proxy/bench/compare';
import type { RawStackConfig } from '../../stacks/schema';
import { Timings } from '../../test/e2e/lib/timings';
import { loadToolchain } from '../../test/e2e/lib/toolchain';
import { ClusterRun } from '../../test/cluster/lib/deploy';
import { measureChangeToUsers } from '../lib/change-to-users';
import {
  CHANGE_PLAN,
  CHANGE_TARGETS,
  changeVerdicts,
  HAND_STEPS,
  roundsUpReturnedEarly,
  type ChangeRound,
} from '../lib/change-verdicts';
import {
  CLOSED_SECONDS,
  CLUSTER_GATEWAY_LABELS,
  CLUSTER_GATEWAYS,
  compareClusterGateways,
  PACED_SECONDS,
  type ClusterGateway,
  type ClusterGatewayNumbers,
} from '../lib/cluster-gateways';
import {
  CLOSED_PLAN,
  CLUSTER_TARGETS,
  errorsOf,
  p99s,
  PACED_PLAN,
  pacedP99Verdict,
  throughputs,
  throughputVerdict,
} from '../lib/cluster-verdicts';
import { measurePulumiFloor, type PulumiFloor } from '../lib/pulumi-floor';
import { rps, us, type Check, type SectionResult, type Table } from '../lib/report';
import { SEED_VARIANTS } from '../lib/seed-gateway';
import { describeInterval, describePlan, paired } from '../lib/verdict';

/**
 * The bench's stack: the cluster suite's, with the gateway's per-client rate limit lifted (one load generator is one
 * client) and one gateway pod with up to 2 CPUs (2 nginx workers), the size the seed pods get too — the proxies are
 * compared, not a 200m CPU quota (the k3s default).
 */
export function benchStackConfig(config: RawStackConfig): RawStackConfig {
  return {
    ...config,
    replicas: { ...config.replicas, gateway: 1 },
    gateway: { ...config.gateway, rateLimit: { requestsPerSecond: 100_000, burst: 100_000 } },
    resources: { ...config.resources, gateway: { ...config.resources?.gateway, cpuLimit: '2' } },
  };
}

const times = (value: number): string => `${value.toFixed(2)}×`;
const secondsText = (value: number): string => `${value.toFixed(1)} s`;
const median = (values: readonly number[]): number => medianBy(values, (value) => value);

function gatewayChecks(numbers: ClusterGatewayNumbers): Check[] {
  const closed = numbers.closedLoop.map((level): Check => {
    const { ratio, errors, verdict } = throughputVerdict(level.rounds.gateway, level.rounds.seed);
    return {
      name: `in the cluster: our gateway's throughput vs the seed design's stock nginx, c=${level.connections}, GET /books/:id (books + PostgreSQL), every feature on`,
      target: `≥ ${times(CLUSTER_TARGETS.minThroughputVsSeed)}, errors 0`,
      measured: `${describeInterval(ratio, times)} (gateway errors ${errors})`,
      verdict,
    };
  });
  const p99 = pacedP99Verdict(numbers.paced.gateway, numbers.paced.seed);
  return [
    ...closed,
    {
      name: `in the cluster: our gateway's p99 vs the seed design's stock nginx at ${numbers.ratePerSecond} req/s (half the seed's maximum)`,
      target: `≤ ${times(CLUSTER_TARGETS.maxP99VsSeed)}, errors 0`,
      measured: `${describeInterval(p99.ratio, times)} (gateway p99 ${us(median(p99s(numbers.paced.gateway)))}, seed ${us(median(p99s(numbers.paced.seed)))}; errors ${p99.errors})`,
      verdict: p99.verdict,
    },
  ];
}

/** How many times the empty program's up and preview run (after one unmeasured up that creates its stack). */
const FLOOR_ROUNDS = 5;

/** How often `pulumi up` returned before its rollout: the provider's Deployment await can end early (bench/README.md). */
function earlyReturnsText(rounds: readonly ChangeRound[]): string {
  const early = roundsUpReturnedEarly(rounds);
  return (
    `up returned before every workload had rolled out in ${early.length} of ${rounds.length} rounds` +
    (early.length > 0 ? ` (round${early.length > 1 ? 's' : ''} ${early.join(', ')})` : '')
  );
}

function changeChecks(rounds: readonly ChangeRound[], floor: PulumiFloor): Check[] {
  const { upVsHand, previewVsUp, previewChanges, upVerdict, previewVerdict } = changeVerdicts(rounds);
  const hand = median(rounds.map((r) => r.handSeconds));
  const budget = hand * (CHANGE_TARGETS.maxUpVsHand - 1);
  return [
    {
      name: 'change to users: `pulumi up` of a books source change (build, push, roll, all new pods Ready and serving) vs docker build + push + kubectl set image + rollout status (same end)',
      target: `≤ ${times(CHANGE_TARGETS.maxUpVsHand)}`,
      measured:
        `${describeInterval(upVsHand, times)} (up ${secondsText(median(rounds.map((r) => r.upSeconds)))}, by hand ${secondsText(hand)}; ` +
        `the target leaves Pulumi ${secondsText(budget)} over the hand path, an empty TypeScript program's up takes ` +
        `${secondsText(median(floor.upSeconds))}; Pulumi's own steps: ${secondsText(median(rounds.map((r) => r.upSteps['before the build'])))} ` +
        `before the build, ${secondsText(median(rounds.map((r) => r.upSteps['after the rollout'])))} after the rollout; ` +
        `${earlyReturnsText(rounds)})`,
      verdict: upVerdict,
    },
    {
      name: 'no-op `pulumi preview` vs `pulumi up` of that change',
      target: `≤ ${times(CHANGE_TARGETS.maxPreviewVsUp)}, no changes`,
      measured:
        `${describeInterval(previewVsUp, times)} (preview ${secondsText(median(rounds.map((r) => r.previewSeconds)))}; ` +
        `an empty TypeScript program's ${secondsText(median(floor.previewSeconds))})` +
        (previewChanges.length > 0 ? `; the preview found changes: ${previewChanges.join(', ')}` : ''),
      verdict: previewVerdict,
    },
  ];
}

function gatewayTables(numbers: ClusterGatewayNumbers): Table[] {
  const closedRows = numbers.closedLoop.flatMap((level) =>
    CLUSTER_GATEWAYS.map((gateway) => {
      const runs = level.rounds[gateway];
      const middle = medianBy(runs, (run) => run.requestsPerSecond);
      return [
        `c=${level.connections}`,
        CLUSTER_GATEWAY_LABELS[gateway],
        rps(middle.requestsPerSecond),
        times(median(paired(throughputs(runs), throughputs(level.rounds.seed)))),
        us(middle.p50Micros),
        us(middle.p99Micros),
        String(errorsOf(runs)),
      ];
    }),
  );
  const pacedRows = CLUSTER_GATEWAYS.map((gateway: ClusterGateway) => {
    const runs = numbers.paced[gateway];
    const middle = medianBy(runs, (run) => run.latencyUs.p99);
    return [
      CLUSTER_GATEWAY_LABELS[gateway],
      String(numbers.ratePerSecond),
      rps(middle.requestsPerSecond),
      us(middle.latencyUs.p50),
      us(middle.latencyUs.p99),
      times(median(paired(p99s(runs), p99s(numbers.paced.seed)))),
      `${us(Math.min(...p99s(runs)))}–${us(Math.max(...p99s(runs)))}`,
      String(middle.lateSends),
      String(errorsOf(runs)),
    ];
  });
  return [
    {
      columns: ['load', 'gateway pod', 'req/s', 'vs seed', 'p50', 'p99', 'errors (all rounds)'],
      rows: closedRows,
    },
    {
      columns: [
        'gateway pod',
        'offered req/s',
        'achieved',
        'p50',
        'p99',
        'p99 vs seed',
        'p99 of the rounds',
        'late sends',
        'errors',
      ],
      rows: pacedRows,
    },
  ];
}

function changeTable(rounds: readonly ChangeRound[]): Table {
  return {
    columns: [
      'round',
      'pulumi up → serving',
      'up returned',
      'not rolled out when up returned',
      'by hand → serving',
      ...HAND_STEPS,
      'no-op preview',
    ],
    rows: rounds.map((round, i) => [
      String(i + 1),
      secondsText(round.upSeconds),
      secondsText(round.upReturnedSeconds),
      round.pendingWhenUpReturned.join('; ') || '—',
      secondsText(round.handSeconds),
      ...HAND_STEPS.map((step) => secondsText(round.handSteps[step])),
      secondsText(round.previewSeconds),
    ]),
  };
}

/**
 * `pulumi up`'s steps (bench/lib/up-steps.ts) beside the hand path's steps that do the same work; a path without such
 * a step shows '—'. The medians of the steps need not add up to the median of the whole.
 */
const STEP_ROWS: readonly {
  step: string;
  up: (round: ChangeRound) => number;
  hand?: (round: ChangeRound) => number;
}[] = [
  { step: 'before the build: CLI, program, providers', up: (r) => r.upSteps['before the build'] },
  {
    step: 'build + push',
    up: (r) => r.upSteps['build + push'],
    hand: (r) => r.handSteps['docker build'] + r.handSteps['docker push'],
  },
  {
    step: 'new pod template applied',
    up: (r) => r.upSteps['build → rollout'],
    hand: (r) => r.handSteps['kubectl set image'],
  },
  { step: 'rollout, awaited', up: (r) => r.upSteps.rollout, hand: (r) => r.handSteps['kubectl rollout status'] },
  { step: 'after the rollout: outputs, state, exit', up: (r) => r.upSteps['after the rollout'] },
  {
    step: 'until every workload is rolled out and the gateway answers',
    up: (r) => r.upSeconds - r.upReturnedSeconds,
    hand: (r) => r.handSteps['rolled out + serving'],
  },
  { step: 'change → serving', up: (r) => r.upSeconds, hand: (r) => r.handSeconds },
];

function upStepsTable(rounds: readonly ChangeRound[]): Table {
  const cell = (of: ((round: ChangeRound) => number) | undefined): string =>
    of ? `${median(rounds.map(of)).toFixed(2)} s` : '—';
  return {
    columns: ['step (median of the rounds)', 'pulumi up', 'by hand'],
    rows: STEP_ROWS.map((row) => [row.step, cell(row.up), cell(row.hand)]),
  };
}

const TITLE = 'In a real cluster: the gateway vs the seed design, and the time from a change to users';

function notMeasured(why: string): SectionResult {
  const names = [
    "in the cluster: our gateway's throughput and p99 vs the seed design's stock nginx",
    'change to users: `pulumi up` of a books change vs the hand-made docker/kubectl path; no-op preview vs up',
  ];
  return {
    title: TITLE,
    method: `Issue #16 targets 2 and 3 on the local single-node cluster: not measurable here, because ${why}.`,
    tables: [],
    checks: names.map((name) => ({
      name,
      target: 'see bench/README.md',
      measured: 'not measured',
      verdict: 'not measured',
      why,
    })),
    data: { measured: false, why },
  };
}

export interface ClusterNumbers {
  gateways: ClusterGatewayNumbers;
  change: ChangeRound[];
  pulumiFloor: PulumiFloor;
  timings: Record<string, number>;
}

export async function clusterSection(): Promise<SectionResult> {
  try {
    loadToolchain();
  } catch (error) {
    return notMeasured(`the e2e and cluster toolchain is not built (${(error as Error).message.split('\n')[0]})`);
  }
  const say = (line: string): void => console.log(`  [cluster] ${line}`);
  const timings = new Timings(say);
  const run = new ClusterRun();
  let numbers: ClusterNumbers;
  try {
    const platform = await run.deploy({
      say,
      time: (label, body) => timings.time(label, body),
      adjustConfig: benchStackConfig,
      showUpOutput: false,
    });
    const gateways = await compareClusterGateways(platform, say);
    const change = await measureChangeToUsers(platform, say);
    const pulumiFloor = await measurePulumiFloor(platform.stack, FLOOR_ROUNDS);
    say(
      `Pulumi's floor (an empty TypeScript program): up ${pulumiFloor.upSeconds.map(secondsText).join(', ')}; ` +
        `preview ${pulumiFloor.previewSeconds.map(secondsText).join(', ')}`,
    );
    numbers = { gateways, change, pulumiFloor, timings: Object.fromEntries(timings.entries) };
  } finally {
    await run.cleanUp(false);
  }
  const { gateways, change, pulumiFloor } = numbers;
  const keepaliveGain = (level: ClusterGatewayNumbers['closedLoop'][number]): string =>
    times(median(paired(throughputs(level.rounds.keepalive), throughputs(level.rounds.seed))));
  return {
    title: TITLE,
    method:
      'The platform on the local single-node cluster (scripts/cluster: kubelet, containerd, kube-proxy in iptables mode, ' +
      'CoreDNS, kube-router, a ServiceLB), deployed by `pulumi up` of the K3s-like amd64 stack `npm run test:cluster` uses, ' +
      'with the gateway’s rate limit lifted and one gateway pod of up to 2 CPUs (2 nginx workers). Beside it, in namespace ' +
      '`books-seed`, the seed design’s gateway: stock nginx (the nginx:1.22.1 stand-in, scripts/docker/nginx: official ' +
      'nginx.conf, 2 workers on this node, access log on) with the two-location proxy_pass config, and the same nginx with ' +
      'upstream keepalive only; same CPU limit, one pod each, each behind a LoadBalancer Service at the node’s address ' +
      `(ports ${SEED_VARIANTS.seed.servicePort}, ${SEED_VARIANTS.keepalive.servicePort}; ours its own), so kube-proxy ` +
      `carries all three alike to the same 2 books pods and PostgreSQL. wrk from the host (nice 10), GET ${gateways.path}: ` +
      `closed loop at c=1 and c=32, interleaved ${CLOSED_SECONDS} s rounds in an order balanced for carryover (each gateway after each other equally often), per level ` +
      `${describePlan(CLOSED_PLAN)}; then every gateway paced at half the seed’s c=32 maximum, rounds of ` +
      `${PACED_SECONDS} s (wrk-timers pacer), ${describePlan(PACED_PLAN)}. Verdicts judge the paired ` +
      'per-round ratios (median and order-statistic interval, bench/lib/verdict.ts). Upstream keepalive alone gives the ' +
      `seed ${gateways.closedLoop.map((level) => `${keepaliveGain(level)} at c=${level.connections}`).join(', ')} ` +
      `(seed + keepalive / seed throughput). Change to users: after one unmeasured round, ${describePlan(CHANGE_PLAN)}, ` +
      'each a fresh books source edit per path, the two paths in alternating order, same engine and build cache: the CLI’s `pulumi up --yes ' +
      '--skip-preview` (books rebuilt, pushed and rolled; the other images keep their content tags) vs `docker build` ' +
      '(same Dockerfile, context and platform) + `docker push` + `kubectl set image` + `kubectl rollout status`; ' +
      'each starts with the previous rollout’s old pods gone and ends when every workload has rolled out as `kubectl ' +
      'rollout status` means it (old pods may still drain) and the gateway answers. The up’s steps come from the ' +
      'engine’s own events (`--event-log`), each stamped as it reaches the bench: the image’s update (build and push) ' +
      'and the books Deployment’s (the new pod template applied, then the rollout the Kubernetes provider awaits), set ' +
      'beside the hand path’s steps that do the same work. A no-op `pulumi preview` right ' +
      `after each up. Then Pulumi’s floor, ${FLOOR_ROUNDS} rounds: \`pulumi up\` and \`pulumi preview\` of a TypeScript ` +
      'program that registers nothing (bench/lib/pulumi-floor.ts: the same CLI, state backend and runtime options), ' +
      'which every up of the platform pays on top of its build and rollout.',
    tables: [...gatewayTables(gateways), changeTable(change), upStepsTable(change)],
    checks: [...gatewayChecks(gateways), ...changeChecks(change, pulumiFloor)],
    data: numbers,
  };
}
