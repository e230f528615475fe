// Image sizes against their targets, read from the images the images harness built in the project's engine.
// Nothing is built here; without the engine or the images every row says "not measured".
import { APPS } from '../../test/images/apps';
import { imageFacts, imageTag } from '../../test/images/build';
import { engineHealthy } from '../../scripts/docker/engine';
import { standInNames } from '../../scripts/docker/standins';
import type { Check, SectionResult } from '../lib/report';

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

async function sizeOf(tag: string): Promise<number | undefined> {
  return imageFacts(tag).then(
    (facts) => facts.sizeBytes,
    () => undefined,
  );
}

export async function imagesSection(): Promise<SectionResult> {
  const engine = await engineHealthy().catch(() => false);
  const nodeBase = engine ? await sizeOf(standInNames('amd64').node) : undefined;
  const sizes = await Promise.all(APPS.map(async (app) => (engine ? sizeOf(imageTag(app.name, 'amd64')) : undefined)));
  const checks: Check[] = APPS.map((app, i) => {
    const size = sizes[i];
    const limit = nodeBase !== undefined ? app.maxSizeBytes(nodeBase) : undefined;
    return {
      name: `${app.name} image size (amd64)`,
      target: `≤ ${app.sizeRule}${limit !== undefined ? ` = ${mb(limit)}` : ''}`,
      measured: size !== undefined ? mb(size) : 'not measured',
      ok: size !== undefined && limit !== undefined ? size <= limit : null,
    };
  });
  return {
    title: 'Images: sizes vs targets',
    method: engine
      ? `Sizes reported by the project's Docker engine for the images \`npm run test:images\` built (${imageTag('<app>', 'amd64')}).`
      : "The project's Docker engine is not running (scripts/docker/engine.sh): not measured.",
    tables: [],
    checks,
    data: {
      engine,
      nodeBaseBytes: nodeBase ?? null,
      sizes: Object.fromEntries(APPS.map((app, i) => [app.name, sizes[i] ?? null])),
    },
  };
}
