import assert from 'node:assert/strict';
import type { EngineEvent } from '@pulumi/pulumi/automation';
import { upSteps, type ChangedResources, type TimedEngineEvent } from '../lib/up-steps';

const CHANGED: ChangedResources = {
  image: { type: 'docker:index/image:Image', name: 'books' },
  deployment: { type: 'kubernetes:apps/v1:Deployment', name: 'books' },
};
const IMAGE_URN = 'urn:pulumi:s::p::books-platform:index:AppImage$docker:index/image:Image::books';
const DEPLOYMENT_URN = 'urn:pulumi:s::p::books-platform:index:WebService$kubernetes:apps/v1:Deployment::books';

let sequence = 0;
function step(kind: 'pre' | 'outputs', op: string, type: string, urn: string, atMs: number): TimedEngineEvent {
  const metadata = { op, type, urn, provider: '' } as NonNullable<EngineEvent['resourcePreEvent']>['metadata'];
  const event: EngineEvent = {
    sequence: sequence++,
    timestamp: 0,
    ...(kind === 'pre' ? { resourcePreEvent: { metadata } } : { resOutputsEvent: { metadata } }),
  };
  return { atMs, event };
}

/** An up started at 1000 ms: build 2800–5700, template applied at 5760, rolled out at 10100, returned at 10300. */
function upEvents(): TimedEngineEvent[] {
  return [
    step('pre', 'same', 'pulumi:pulumi:Stack', 'urn:pulumi:s::p::pulumi:pulumi:Stack::p-s', 1900),
    step('pre', 'same', CHANGED.image.type, `${IMAGE_URN}-react`, 2700),
    step('outputs', 'same', CHANGED.image.type, `${IMAGE_URN}-react`, 2710),
    step('pre', 'update', CHANGED.image.type, IMAGE_URN, 2800),
    step('pre', 'same', CHANGED.deployment.type, `${DEPLOYMENT_URN}-react`, 3000),
    step('outputs', 'update', CHANGED.image.type, IMAGE_URN, 5700),
    step('pre', 'update', CHANGED.deployment.type, DEPLOYMENT_URN, 5760),
    step('outputs', 'update', CHANGED.deployment.type, DEPLOYMENT_URN, 10100),
  ];
}

const close = (actual: number, expected: number): void =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} is not ${expected}`);

describe("bench: pulumi up's steps from the engine's events", () => {
  it('splits the up at the image update and the Deployment update, in seconds', () => {
    const steps = upSteps(upEvents(), 1000, 10_300, CHANGED);
    close(steps['before the build'], 1.8);
    close(steps['build + push'], 2.9);
    close(steps['build → rollout'], 0.06);
    close(steps.rollout, 4.34);
    close(steps['after the rollout'], 0.2);
  });

  it('only an update counts: an image left as it was (a change that did not reach it) is an error', () => {
    const events = upEvents().filter(({ event }) => event.resourcePreEvent?.metadata.urn !== IMAGE_URN);
    assert.throws(
      () => upSteps(events, 1000, 10_300, CHANGED),
      /no start of an update of docker:index\/image:Image books/,
    );
  });

  it('an update that never ended (no outputs event) is an error', () => {
    const events = upEvents().filter(({ event }) => event.resOutputsEvent?.metadata.urn !== DEPLOYMENT_URN);
    assert.throws(
      () => upSteps(events, 1000, 10_300, CHANGED),
      /no end of an update of kubernetes:apps\/v1:Deployment books/,
    );
  });

  it('names are matched whole: books-react is not books', () => {
    const events = upEvents().filter(({ event }) => {
      const urn = (event.resourcePreEvent ?? event.resOutputsEvent)?.metadata.urn;
      return urn !== IMAGE_URN;
    });
    assert.throws(() => upSteps(events, 1000, 10_300, CHANGED), /docker:index\/image:Image books/);
  });

  it('steps out of order (the up returned before the rollout ended) are an error, not a negative step', () => {
    assert.throws(
      () => upSteps(upEvents(), 1000, 9000, CHANGED),
      /out of order \(ms: 0, 1800, 4700, 4760, 9100, 8000\)/,
    );
  });
});
