// Issue #16 target 3, measured in the local cluster: how long a books source change takes to reach users through
// the `pulumi up` CLI against the hand-made path a user of the original design takes for the same change (`docker
// build`, `docker push`, `kubectl set image`, `kubectl rollout status`), and what a no-op `pulumi preview` costs. Same
// cluster, same engine and build cache; each round makes a fresh change for each path, in alternating order.
// "Reached users" is the same for both: rolled out as `kubectl rollout status` means it (every replica updated and
// Ready; old pods may still be draining) and the gateway answering.
import type { Stack } from '@pulumi/pulumi/automation';
import { inRotation } from '../../apps/books-reverse-proxy/bench/compare';
import { buildPaths } from '../../components/app-image';
import { docker } from '../../scripts/docker/engine';
import { run } from '../../scripts/docker/process';
import { ChangeLog } from '../../test/e2e/lib/changes';
import { changeBooksSource, REGISTRY_REPOSITORY, type DeployedPlatform } from '../../test/cluster/lib/deploy';
import { SETTLE_TIMEOUT_MS, waitAnswering, waitRolledOut, waitSettled } from '../../test/cluster/lib/ready';

/**
 * 9 rounds, like the cluster's gateway rounds: the verdicts' intervals are the 2nd–8th of the paired ratios, 96 % for
 * their median (5 rounds gave min–max at 94 %, too wide to decide a no-op preview at 0.21× of a 0.25× bound).
 */
export const CHANGE_ROUNDS = 9;
const BUILD_TIMEOUT_MS = 15 * 60_000;
const BOOKS = 'books';

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
  /** A `pulumi preview` right after that up: nothing changed. */
  previewSeconds: number;
  /** What that preview would change (none expected: anything here makes the preview not a no-op). */
  previewChanges: string[];
  handSeconds: number;
  handSteps: Record<HandStep, number>;
}

const seconds = (since: number): number => (performance.now() - since) / 1000;

/** Each path starts from the same state: the previous rollout's old pods gone (not timed). */
const settled = (platform: DeployedPlatform): Promise<void> =>
  waitSettled(platform.kube, platform.namespace, SETTLE_TIMEOUT_MS);

/** Every workload of the platform rolled out, and the gateway serving the API. */
async function untilServing(platform: DeployedPlatform): Promise<void> {
  await waitRolledOut(platform.kube, platform.namespace, SETTLE_TIMEOUT_MS);
  await waitAnswering(`${platform.gatewayUrl}/books?limit=1`, 60_000);
}

/**
 * `pulumi up` as a user runs it at a terminal, skipping the interactive preview (the hand path has none either). Not
 * the Automation API's `stack.up`: that runs `pulumi stack output` and `pulumi stack history` after the update
 * (≈ 0.4 s here), which are not part of `pulumi up`. Same CLI, project, stack and environment.
 */
async function pulumiUp(stack: Stack): Promise<void> {
  const { workspace } = stack;
  await run(
    workspace.pulumiCommand.command,
    ['up', '--yes', '--skip-preview', '--non-interactive', '--stack', stack.name],
    { cwd: workspace.workDir, env: { ...process.env, ...workspace.envVars }, timeoutMs: BUILD_TIMEOUT_MS },
  );
}

async function viaPulumi(
  platform: DeployedPlatform,
  round: number,
): Promise<Omit<ChangeRound, 'handSeconds' | 'handSteps'>> {
  await settled(platform);
  changeBooksSource(platform.setup.projectDir, `bench: change ${round} through pulumi up`);
  const started = performance.now();
  await pulumiUp(platform.stack);
  const upReturnedSeconds = seconds(started);
  await untilServing(platform);
  const upSeconds = seconds(started);
  const changes = new ChangeLog();
  const previewStarted = performance.now();
  await platform.stack.preview({ onEvent: changes.onEvent });
  return { upSeconds, upReturnedSeconds, previewSeconds: seconds(previewStarted), previewChanges: changes.changed() };
}

async function byHand(
  platform: DeployedPlatform,
  round: number,
): Promise<Pick<ChangeRound, 'handSeconds' | 'handSteps'>> {
  await settled(platform);
  changeBooksSource(platform.setup.projectDir, `bench: change ${round} by hand`);
  const { context, dockerfile } = buildPaths(BOOKS);
  const image = `${platform.cluster.registry.server}/${REGISTRY_REPOSITORY}/${BOOKS}:hand-${round}-${Date.now()}`;
  const platformFlag = platform.setup.config.platform ? ['--platform', platform.setup.config.platform] : [];
  const steps = {} as Record<HandStep, number>;
  const step = async (name: HandStep, body: () => Promise<unknown>): Promise<void> => {
    const started = performance.now();
    await body();
    steps[name] = seconds(started);
  };
  const started = performance.now();
  await step('docker build', () =>
    docker(['build', ...platformFlag, '--tag', image, '--file', dockerfile, context], {
      cwd: platform.setup.projectDir,
      timeoutMs: BUILD_TIMEOUT_MS,
    }),
  );
  await step('docker push', () => docker(['--config', platform.dockerConfig, 'push', image]));
  const deployment = ['--namespace', platform.namespace, `deployment/${BOOKS}`];
  await step('kubectl set image', () => platform.kube.kubectl(['set', 'image', ...deployment, `${BOOKS}=${image}`]));
  await step('kubectl rollout status', () =>
    platform.kube.kubectl(['rollout', 'status', ...deployment, '--timeout=300s'], undefined, SETTLE_TIMEOUT_MS),
  );
  await step('rolled out + serving', () => untilServing(platform));
  return { handSeconds: seconds(started), handSteps: steps };
}

export async function measureChangeToUsers(
  platform: DeployedPlatform,
  say: (line: string) => void,
): Promise<ChangeRound[]> {
  const rounds: ChangeRound[] = [];
  for (let round = 0; round < CHANGE_ROUNDS; round++) {
    let pulumi: Awaited<ReturnType<typeof viaPulumi>> | undefined;
    let hand: Awaited<ReturnType<typeof byHand>> | undefined;
    for (const path of inRotation(['pulumi', 'hand'] as const, round)) {
      if (path === 'pulumi') pulumi = await viaPulumi(platform, round);
      else hand = await byHand(platform, round);
    }
    if (!pulumi || !hand) throw new Error(`change round ${round + 1} did not run both paths`);
    const result: ChangeRound = { ...pulumi, ...hand };
    say(
      `change round ${round + 1}: pulumi up ${result.upSeconds.toFixed(1)} s (returned ${result.upReturnedSeconds.toFixed(1)} s), ` +
        `by hand ${result.handSeconds.toFixed(1)} s, no-op preview ${result.previewSeconds.toFixed(1)} s`,
    );
    rounds.push(result);
  }
  return rounds;
}
