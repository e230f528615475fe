// Image sizes against their targets, read from the images the images harness built in the project's engine:
// the harness's own bounds (amd64) and issue #16's leaner-image targets (amd64 and arm64), with the compressed
// bytes a node pulls. Nothing is built here; an image that is not there is "not measured", with the reason. The
// engine is started if it is not running (the cluster section starts it too), so a run after CI, whose cleanup stops
// the engine, still reads the images CI built.
import { APPS, LEAN_IMAGE_TARGETS, type AppName } from '../../test/images/apps';
import { imageFacts, imageTag } from '../../test/images/build';
import { startEngine } from '../../scripts/docker/engine';
import { pullSize } from '../../scripts/docker/pull-size';
import { ARCHES, type Arch } from '../../scripts/docker/standins';
import { verdictOf, type Check, type SectionResult } from '../lib/report';

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

const NOT_BUILT = (arch: Arch): string =>
  `no image built for ${arch} in the project's engine (npm run test:images${arch === 'arm64' ? ', arm64 suite' : ''})`;

async function sizeOf(tag: string): Promise<number | undefined> {
  return imageFacts(tag).then(
    (facts) => facts.sizeBytes,
    () => undefined,
  );
}

export async function imagesSection(): Promise<SectionResult> {
  // Why nothing can be measured, or undefined when the engine runs.
  const engineDown = await startEngine().then(
    () => undefined,
    (error: unknown) =>
      `the project's Docker engine did not start (scripts/docker/engine.sh): ${error instanceof Error ? error.message : String(error)}`,
  );
  const engine = engineDown === undefined;
  const sizeIf = (tag: string): Promise<number | undefined> => (engine ? sizeOf(tag) : Promise.resolve(undefined));
  const harnessChecks: Check[] = [];
  for (const app of APPS) {
    const size = await sizeIf(imageTag(app.name, 'amd64'));
    harnessChecks.push({
      name: `${app.name} image size (amd64)`,
      target: `≤ ${app.sizeRule} = ${mb(app.maxSizeBytes)}`,
      measured: size !== undefined ? mb(size) : 'not measured',
      ...(size !== undefined
        ? { verdict: verdictOf(size <= app.maxSizeBytes) }
        : { verdict: 'not measured' as const, why: engineDown ?? NOT_BUILT('amd64') }),
    });
  }
  const rows: string[][] = [];
  const leanChecks: Check[] = [];
  for (const [name, lean] of Object.entries(LEAN_IMAGE_TARGETS) as [AppName, { maxBytes: number; rule: string }][]) {
    for (const arch of ARCHES) {
      const tag = imageTag(name, arch);
      const size = await sizeIf(tag);
      const pulled = size !== undefined ? await pullSize(tag) : undefined;
      if (size !== undefined && pulled)
        rows.push([name, arch, mb(size), mb(pulled.totalBytes), pulled.layerBytes.map(mb).join(' + ')]);
      leanChecks.push({
        name: `${name} image size, leaner (${arch})`,
        target: `≤ ${lean.rule} = ${mb(lean.maxBytes)}`,
        measured:
          size !== undefined && pulled ? `${mb(size)} (pulled: ${mb(pulled.totalBytes)} compressed)` : 'not measured',
        ...(size !== undefined
          ? { verdict: verdictOf(size <= lean.maxBytes) }
          : { verdict: 'not measured' as const, why: engineDown ?? NOT_BUILT(arch) }),
      });
    }
  }
  return {
    title: 'Images: sizes vs targets, and what a node pulls',
    method: engine
      ? `Sizes reported by the project's Docker engine for the images \`npm run test:images\` built (${ARCHES.map((arch) => imageTag('<app>', arch)).join(', ')}); ` +
        'pulled = each layer of `docker save` gzip-compressed (what a registry stores and a node downloads), summed.'
      : `${engineDown}: not measured.`,
    tables:
      rows.length > 0 ? [{ columns: ['image', 'arch', 'size', 'pulled (compressed)', 'pulled per layer'], rows }] : [],
    checks: [...harnessChecks, ...leanChecks],
    data: {
      engine,
      pulled: rows.map(([image, arch, size, pulledTotal]) => ({ image, arch, size, pulled: pulledTotal })),
    },
  };
}
