// Issue #16 target 3, measured in the local cluster: how long a books source change takes to reach users through
// the `pulumi up` CLI against the hand-made path a user of the original design takes for the same change (`docker
// build`, `docker push`, `kubectl set image`, `kubectl rollout status`), and what a no-op `pulumi preview` costs. Same
// cluster, same engine and build cache; each round makes a fresh change for each path, in alternating order.
// "Reached users" is the same for both: rolled out as `kubectl rollout status` means it (every replica updated and
// Ready; old pods may still be draining) and the gateway answering.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Stack } from '@pulumi/pulumi/automation';
import { balancedOrder, runRounds } from '../../apps/books-reverse-proxy/bench/compare';
import { buildPaths } from '../../components/app-image';
import { docker } from '../../scripts/docker/engine';
import { run } from '../../scripts/docker/process';
import { ChangeLog } from '../../test/e2e/lib/changes';
import { changeBooksSource, REGISTRY_REPOSITORY, type DeployedPlatform } from '../../test/cluster/lib/deploy';
import {
  rolloutPending,
  SETTLE_TIMEOUT_MS,
  waitAnswering,
  waitRolledOut,
  waitSettled,
} from '../../test/cluster/lib/ready';
import { CHANGE_PATHS, CHANGE_PLAN, changeDecided, type ChangeRound, type HandStep } from './change-verdicts';
import { EngineEventLog } from './engine-event-log';
import { upSteps, type ChangedResources, type TimedEngineEvent } from './up-steps';
import { moreRounds } from './verdict';

const BUILD_TIMEOUT_MS = 15 * 60_000;
const BOOKS = 'books';
/** What a books source change updates in the program (index.ts: AppImage and WebService `books`). */
const BOOKS_CHANGE: ChangedResources = {
  image: { type: 'docker:index/image:Image', name: BOOKS },
  deployment: { type: 'kubernetes:apps/v1:Deployment', name: BOOKS },
};

const seconds = (since: number): number => (performance.now() - since) / 1000;

/** Each path starts from the same state: the previous rollout's old pods gone (not timed). */
const settled = (platform: DeployedPlatform): Promise<void> =>
  waitSettled(platform.kube, platform.namespace, SETTLE_TIMEOUT_MS);

/**
 * Every workload of the platform rolled out, and the gateway serving the API. Returns what had not rolled out when
 * it was called (empty: everything had): the first look costs both paths the same, and tells whether `pulumi up`
 * returned before its rollout (pulumi-kubernetes' Deployment await can, bench/README.md).
 */
async function untilServing(platform: DeployedPlatform): Promise<string[]> {
  const pending = await rolloutPending(platform.kube, platform.namespace);
  if (pending.length > 0) await waitRolledOut(platform.kube, platform.namespace, SETTLE_TIMEOUT_MS);
  await waitAnswering(`${platform.gatewayUrl}/books?limit=1`, 60_000);
  return pending;
}

/**
 * `pulumi up` as a user runs it at a terminal, skipping the interactive preview (the hand path has none either). Not
 * the Automation API's `stack.up`: that runs `pulumi stack output` and `pulumi stack history` after the update
 * (≈ 0.4 s here), which are not part of `pulumi up`. Same CLI, project, stack and environment, plus the engine's
 * event log (`--event-log`, a flag the CLI shows only with PULUMI_DEBUG_COMMANDS, as the Automation API sets it),
 * which only records the update: its events, stamped as they arrive, split the up into steps.
 */
async function pulumiUp(stack: Stack): Promise<TimedEngineEvent[]> {
  const { workspace } = stack;
  const log = new EngineEventLog(join(dirname(workspace.workDir), 'up-events.jsonl'));
  try {
    await run(
      workspace.pulumiCommand.command,
      ['up', '--yes', '--skip-preview', '--non-interactive', '--stack', stack.name, '--event-log', log.path],
      {
        cwd: workspace.workDir,
        env: { ...process.env, ...workspace.envVars, PULUMI_DEBUG_COMMANDS: 'true' },
        timeoutMs: BUILD_TIMEOUT_MS,
      },
    );
    return log.read();
  } finally {
    log.stop();
    rmSync(log.path, { force: true });
  }
}

async function viaPulumi(
  platform: DeployedPlatform,
  label: string,
): Promise<Omit<ChangeRound, 'handSeconds' | 'handSteps'>> {
  await settled(platform);
  changeBooksSource(platform.setup.projectDir, `bench: change ${label} through pulumi up`);
  const started = performance.now();
  const events = await pulumiUp(platform.stack);
  const returned = performance.now();
  const upReturnedSeconds = seconds(started);
  const pendingWhenUpReturned = await untilServing(platform);
  const upSeconds = seconds(started);
  const changes = new ChangeLog();
  const previewStarted = performance.now();
  await platform.stack.preview({ onEvent: changes.onEvent });
  return {
    upSeconds,
    upReturnedSeconds,
    pendingWhenUpReturned,
    upSteps: upSteps(events, started, returned, BOOKS_CHANGE),
    previewSeconds: seconds(previewStarted),
    previewChanges: changes.changed(),
  };
}

async function byHand(
  platform: DeployedPlatform,
  label: string,
): Promise<Pick<ChangeRound, 'handSeconds' | 'handSteps'>> {
  await settled(platform);
  changeBooksSource(platform.setup.projectDir, `bench: change ${label} by hand`);
  const { context, dockerfile } = buildPaths(BOOKS);
  const image = `${platform.cluster.registry.server}/${REGISTRY_REPOSITORY}/${BOOKS}:hand-${label}-${Date.now()}`;
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

/** Both paths once, in the order of `round` (alternating); `label` marks the edits and the hand-built tag. */
async function changeRound(platform: DeployedPlatform, round: number, label: string): Promise<ChangeRound> {
  let pulumi: Awaited<ReturnType<typeof viaPulumi>> | undefined;
  let hand: Awaited<ReturnType<typeof byHand>> | undefined;
  for (const path of balancedOrder(CHANGE_PATHS, round)) {
    if (path === 'pulumi') pulumi = await viaPulumi(platform, label);
    else hand = await byHand(platform, label);
  }
  if (!pulumi || !hand) throw new Error(`change round ${label} did not run both paths`);
  return { ...pulumi, ...hand };
}

/**
 * One unmeasured round first: the first round's `pulumi up` was its run's slowest in 3 of the last 5 full runs and
 * never below their median (12.5 s against 9.7–11.4 s in the 2026-12-02 19:56 run), widening the interval at its
 * upper end. Then the rounds of {@link CHANGE_PLAN}, until both change verdicts are decided or the plan is spent.
 */
export async function measureChangeToUsers(
  platform: DeployedPlatform,
  say: (line: string) => void,
): Promise<ChangeRound[]> {
  const warmUp = await changeRound(platform, 1, 'warm-up');
  say(
    `change warm-up (not counted): pulumi up ${warmUp.upSeconds.toFixed(1)} s, by hand ${warmUp.handSeconds.toFixed(1)} s`,
  );
  const rounds: ChangeRound[] = [];
  await runRounds(
    CHANGE_PLAN.first,
    (done) => moreRounds(CHANGE_PLAN, done, changeDecided(rounds)),
    async (round) => {
      const result = await changeRound(platform, round, String(round + 1));
      say(
        `change round ${round + 1}: pulumi up ${result.upSeconds.toFixed(1)} s (returned ${result.upReturnedSeconds.toFixed(1)} s), ` +
          `by hand ${result.handSeconds.toFixed(1)} s, no-op preview ${result.previewSeconds.toFixed(1)} s`,
      );
      rounds.push(result);
    },
  );
  return rounds;
}
