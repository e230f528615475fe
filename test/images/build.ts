// Builds the apps' real Dockerfiles in our engine (BuildKit) for one platform, FROM the stand-in base images.
import { join } from 'node:path';
import { docker } from '../../scripts/docker/engine';
import { tail } from '../../scripts/docker/process';
import { platformOf, type Arch } from '../../scripts/docker/standins';
import type { AppImage } from './apps';
import { LOG_DIR, REPO_ROOT } from './paths';

export interface ImageFacts {
  id: string;
  sizeBytes: number;
  user: string;
  architecture: string;
  healthcheck: readonly string[] | undefined;
}

export interface BuiltImage extends ImageFacts {
  tag: string;
  arch: Arch;
  seconds: number;
}

const BUILD_TIMEOUT_MS: Record<Arch, number> = { amd64: 15 * 60_000, arm64: 30 * 60_000 };

export function imageTag(name: string, arch: Arch): string {
  return `books-platform/${name}:images-test-${arch}`;
}

/** `docker build` of `context` for `arch`; the full log goes to LOG_DIR, a failure shows its tail. */
export async function buildContext(name: string, context: string, arch: Arch): Promise<BuiltImage> {
  const tag = imageTag(name, arch);
  // No build args: the Dockerfiles' default base image names are multi-platform in our engine (scripts/docker).
  const args = ['build', '--progress=plain', '--platform', platformOf(arch), '--tag', tag, context];
  const logFile = join(LOG_DIR, `build-${name}-${arch}.log`);
  const started = Date.now();
  const result = await docker(args, { allowFailure: true, timeoutMs: BUILD_TIMEOUT_MS[arch], logFile });
  const seconds = (Date.now() - started) / 1000;
  if (result.code !== 0) {
    const where = context.startsWith(REPO_ROOT) ? context.slice(REPO_ROOT.length + 1) : context;
    throw new Error(
      `docker build of ${where} (${arch}) failed after ${seconds.toFixed(0)} s; full log ${logFile}:\n${tail(result.stderr, 3000)}`,
    );
  }
  return { tag, arch, seconds, ...(await imageFacts(tag)) };
}

export function buildApp(app: AppImage, arch: Arch): Promise<BuiltImage> {
  return buildContext(app.name, app.context, arch);
}

interface InspectedImage {
  Id: string;
  Size: number;
  Architecture: string;
  Config: { User?: string; Healthcheck?: { Test?: string[] } | null };
}

export async function imageFacts(tag: string): Promise<ImageFacts> {
  const [image] = JSON.parse((await docker(['image', 'inspect', tag])).stdout) as InspectedImage[];
  if (!image) throw new Error(`image ${tag} not found`);
  return {
    id: image.Id,
    sizeBytes: image.Size,
    user: image.Config.User ?? '',
    architecture: image.Architecture,
    healthcheck: image.Config.Healthcheck?.Test,
  };
}
