// Issue #16 target 2, measured in the local cluster: our gateway against the seed design's stock nginx (and the same
// nginx with upstream keepalive only), each one pod behind a LoadBalancer Service that kube-proxy serves at the
// node's address, the same books pods and PostgreSQL behind all three. Closed-loop throughput in interleaved rounds
// (each gateway after each other equally often), then the p99 of every gateway at one constant rate: half the seed's maximum.
import {
  BROWSER_HEADERS,
  balancedOrder,
  measureRound,
  medianBy,
  runRounds,
  type RoundResult,
} from '../../apps/books-reverse-proxy/bench/compare';
import { runWrk, type WrkResult } from '../../apps/books-reverse-proxy/bench/wrk';
import { parseStackConfig } from '../../stacks/config';
import type { ContainerSize } from '../../stacks/targets';
import { rawConfigMap } from '../../test/e2e/lib/stack';
import { pushStandIn, type DeployedPlatform } from '../../test/cluster/lib/deploy';
import { SETTLE_TIMEOUT_MS, waitAnswering, waitSettled } from '../../test/cluster/lib/ready';
import { createBook } from '../../test/integration/drills/support/books-api';
import { CLOSED_PLAN, decided, PACED_PLAN, pacedP99Verdict, throughputVerdict } from './cluster-verdicts';
import { SEED_NAMESPACE, SEED_VARIANTS, seedGatewayManifests } from './seed-gateway';
import { moreRounds } from './verdict';

export const CLUSTER_GATEWAYS = ['seed', 'keepalive', 'gateway'] as const;
export type ClusterGateway = (typeof CLUSTER_GATEWAYS)[number];
export const CLUSTER_GATEWAY_LABELS: Record<ClusterGateway, string> = {
  seed: 'seed nginx (stock, no keepalive)',
  keepalive: 'seed nginx + upstream keepalive',
  gateway: 'our gateway (every feature on)',
};

const CONNECTION_LEVELS = [1, 32] as const;
export const CLOSED_SECONDS = 3;
/** Twice the 5 s it was: each p99 takes in twice the requests and more of the node's stalls (cluster-verdicts.ts). */
export const PACED_SECONDS = 10;
const PACED_CONNECTIONS = 32;

export interface ClosedLoopLevel {
  connections: number;
  /** Per gateway, one run per round, in round order (each round runs the three in its balanced order). */
  rounds: Record<ClusterGateway, RoundResult[]>;
}

export interface ClusterGatewayNumbers {
  path: string;
  /** The gateways' URLs (the node's address, one Service port each). */
  urls: Record<ClusterGateway, string>;
  /** The CPU limit both kinds of gateway pod ran with (our gateway's size from the stack, given to the seeds too). */
  gatewayCpuLimit: string;
  closedLoop: ClosedLoopLevel[];
  /** The seed's closed-loop c=32 maximum (median round) the paced rate is half of. */
  seedMaxPerSecond: number;
  ratePerSecond: number;
  paced: Record<ClusterGateway, WrkResult[]>;
}

/** The seed gateways beside ours: the nginx stand-in pushed, everything applied and Ready. */
async function deploySeedGateways(
  platform: DeployedPlatform,
  size: ContainerSize,
): Promise<Record<ClusterGateway, string>> {
  const image = await pushStandIn(platform, 'nginx', 'nginx:1.22.1');
  const manifests = seedGatewayManifests({
    appsNamespace: platform.namespace,
    image,
    registry: platform.cluster.registry,
    size,
  });
  const kube = platform.kube;
  await kube.kubectl(['apply', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: manifests }));
  await waitSettled(kube, SEED_NAMESPACE, SETTLE_TIMEOUT_MS);
  const nodeUrl = (port: number): string => `http://${platform.cluster.nodeIp}:${port}`;
  return {
    seed: nodeUrl(SEED_VARIANTS.seed.servicePort),
    keepalive: nodeUrl(SEED_VARIANTS.keepalive.servicePort),
    gateway: platform.gatewayUrl,
  };
}

/**
 * A book written through our gateway (a write with a token: auth on writes is part of every feature on), its path,
 * and every gateway answering that path and the web app's page, so no gateway is measured on errors.
 */
async function checkedPath(platform: DeployedPlatform, urls: Record<ClusterGateway, string>): Promise<string> {
  const { id } = await createBook(urls.gateway, platform.writeToken, 'Measured in the cluster');
  const path = `/books/${id}`;
  for (const gateway of CLUSTER_GATEWAYS) {
    for (const probe of [path, '/']) {
      // The LoadBalancer address is patched in by the cluster's ServiceLB within a second or two.
      await waitAnswering(`${urls[gateway]}${probe}`, 60_000);
    }
  }
  return path;
}

const emptyRounds = <T>(): Record<ClusterGateway, T[]> => ({ seed: [], keepalive: [], gateway: [] });

export async function compareClusterGateways(
  platform: DeployedPlatform,
  say: (line: string) => void,
): Promise<ClusterGatewayNumbers> {
  const parsed = parseStackConfig(rawConfigMap(platform.setup.config));
  if (!parsed.ok) throw new Error(`the bench's stack config does not parse: ${parsed.error.message}`);
  const size = parsed.config.sizes.gateway;
  const urls = await deploySeedGateways(platform, size);
  const path = await checkedPath(platform, urls);
  const target = (gateway: ClusterGateway): string => `${urls[gateway]}${path}`;
  say(`seed gateways Ready; measuring GET ${path} through ${Object.values(urls).join(', ')}`);

  const closedLoop: ClosedLoopLevel[] = [];
  for (const connections of CONNECTION_LEVELS) {
    const rounds = emptyRounds<RoundResult>();
    // Warm-up in the order of the cycle's last round, which the first round's first run follows.
    for (const gateway of balancedOrder(CLUSTER_GATEWAYS, -1)) await measureRound(target(gateway), connections, 1);
    const count = await runRounds(
      CLOSED_PLAN.first,
      (done) => moreRounds(CLOSED_PLAN, done, decided(throughputVerdict(rounds.gateway, rounds.seed))),
      async (round) => {
        for (const gateway of balancedOrder(CLUSTER_GATEWAYS, round)) {
          rounds[gateway].push(await measureRound(target(gateway), connections, CLOSED_SECONDS));
        }
      },
    );
    say(`closed loop c=${connections}: ${count} rounds`);
    closedLoop.push({ connections, rounds });
  }
  const seedMaxPerSecond = medianBy(closedLoop.at(-1)!.rounds.seed, (run) => run.requestsPerSecond).requestsPerSecond;
  const ratePerSecond = Math.max(1, Math.floor(seedMaxPerSecond / 2));
  say(
    `closed loop done; pacing every gateway at ${ratePerSecond} req/s (half the seed's ${seedMaxPerSecond.toFixed(0)})`,
  );
  const paced = emptyRounds<WrkResult>();
  const pacedCount = await runRounds(
    PACED_PLAN.first,
    (done) => moreRounds(PACED_PLAN, done, decided(pacedP99Verdict(paced.gateway, paced.seed))),
    async (round) => {
      for (const gateway of balancedOrder(CLUSTER_GATEWAYS, round)) {
        paced[gateway].push(
          await runWrk({
            url: target(gateway),
            connections: PACED_CONNECTIONS,
            threads: 2,
            durationSeconds: PACED_SECONDS,
            headers: BROWSER_HEADERS,
            ratePerSecond,
            pacer: 'wrk-timers',
          }),
        );
      }
    },
  );
  say(`paced: ${pacedCount} rounds`);
  return { path, urls, gatewayCpuLimit: size.cpuLimit, closedLoop, seedMaxPerSecond, ratePerSecond, paced };
}
