// What the root hook prepared, for the spec files: the engine, the stand-ins, the built images and the running
// platform. Only valid inside `npm run test:images` (test/images/hooks.ts sets it).
import type { StandInReport } from '../../scripts/docker/standins';
import type { AppName } from './apps';
import type { BuiltImage } from './build';
import type { ImagesPlatform } from './platform';

export interface ImagesHarness {
  engineStartSeconds: number;
  standIns: readonly StandInReport[];
  images: Readonly<Record<AppName, BuiltImage>>;
  postgresImage: BuiltImage;
  /** The seed design's stock nginx (the bench's cluster section runs it; checked here against its original). */
  nginxImage: BuiltImage;
  platform: ImagesPlatform;
}

let current: ImagesHarness | undefined;

export function setHarness(harness: ImagesHarness | undefined): void {
  current = harness;
}

export function harness(): ImagesHarness {
  if (!current)
    throw new Error(
      'the images harness is not set up (run through `npm run test:images`, which requires test/images/hooks.ts)',
    );
  return current;
}
