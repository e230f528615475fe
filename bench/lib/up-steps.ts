// Where a `pulumi up` of a books change spends its time, from the engine's own events as they reach the bench: the
// start of the image's update (the build), its outputs (built and pushed), the start of the Deployment's update (the
// new pod template applied) and its outputs (rolled out, as the Kubernetes provider awaits it). Set beside the hand
// path's steps, they show which part of target 3's ratio is Pulumi's own (before the build, after the rollout) and
// which is the same work on both paths.
import type { EngineEvent } from '@pulumi/pulumi/automation';

export const UP_STEPS = [
  'before the build',
  'build + push',
  'build → rollout',
  'rollout',
  'after the rollout',
] as const;
export type UpStep = (typeof UP_STEPS)[number];

/** An engine event and when it reached the bench (ms, `performance.now()`): the event's own timestamp is in whole seconds. */
export interface TimedEngineEvent {
  atMs: number;
  event: EngineEvent;
}

/** A resource by its Pulumi type and name (the last part of its URN). */
export interface ResourceRef {
  type: string;
  name: string;
}

/** The two resources a books source change updates: its image (rebuilt and pushed) and its Deployment (rolled). */
export interface ChangedResources {
  image: ResourceRef;
  deployment: ResourceRef;
}

/** When an update of `resource` started (its resourcePreEvent) and ended (its resOutputsEvent). */
function updateSpan(events: readonly TimedEngineEvent[], resource: ResourceRef): { startMs: number; endMs: number } {
  const isIt = (metadata: { op: string; type: string; urn: string } | undefined): boolean =>
    metadata?.op === 'update' && metadata.type === resource.type && metadata.urn.endsWith(`::${resource.name}`);
  const pre = events.find(({ event }) => isIt(event.resourcePreEvent?.metadata));
  const outputs = events.find(({ event }) => isIt(event.resOutputsEvent?.metadata));
  if (!pre || !outputs) {
    throw new Error(
      `pulumi up's event log has no ${pre ? 'end' : 'start'} of an update of ${resource.type} ${resource.name}: ` +
        'the change did not reach it, so the up cannot be split into steps',
    );
  }
  return { startMs: pre.atMs, endMs: outputs.atMs };
}

/**
 * Splits one `pulumi up` (started at `startedMs`, returned at `returnedMs`) into {@link UP_STEPS}, in seconds. Throws
 * when the events lack either update, or when they are out of order (the build after the rollout, or outside the up).
 */
export function upSteps(
  events: readonly TimedEngineEvent[],
  startedMs: number,
  returnedMs: number,
  changed: ChangedResources,
): Record<UpStep, number> {
  const build = updateSpan(events, changed.image);
  const rollout = updateSpan(events, changed.deployment);
  const marks = [startedMs, build.startMs, build.endMs, rollout.startMs, rollout.endMs, returnedMs];
  if (marks.some((mark, i) => i > 0 && mark < marks[i - 1]!)) {
    throw new Error(
      `pulumi up's steps are out of order (ms: ${marks.map((mark) => Math.round(mark - startedMs)).join(', ')}): ` +
        'expected the start, the build, the rollout, the return',
    );
  }
  const seconds = (from: number, to: number): number => (to - from) / 1000;
  return {
    'before the build': seconds(startedMs, build.startMs),
    'build + push': seconds(build.startMs, build.endMs),
    'build → rollout': seconds(build.endMs, rollout.startMs),
    rollout: seconds(rollout.startMs, rollout.endMs),
    'after the rollout': seconds(rollout.endMs, returnedMs),
  };
}
