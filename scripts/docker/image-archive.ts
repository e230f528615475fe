// Stand-in images are loaded as `docker save`-format archives we write ourselves (manifest.json + config + layer
// tars). Unlike `docker import` (which stamps the daemon's own architecture on the image), this sets the image
// config exactly: architecture/variant, Env, Entrypoint, Cmd and layer history, like the real images have.
import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { docker, engineEnv } from './engine';
import { pipe } from './process';

export interface Layer {
  /** Uncompressed layer tar. */
  path: string;
  /** sha256 of that tar, "sha256:…" (the layer's DiffID). */
  diffId: string;
  createdBy: string;
  created: string;
}

export interface ImageConfig {
  architecture: string;
  variant?: string;
  env: readonly string[];
  entrypoint?: readonly string[];
  cmd: readonly string[];
}

export function sha256File(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(`sha256:${hash.digest('hex')}`));
  });
}

export function configJson(layers: readonly Layer[], config: ImageConfig): string {
  const last = layers[layers.length - 1];
  if (!last) throw new Error('an image needs at least one layer');
  return JSON.stringify({
    architecture: config.architecture,
    ...(config.variant ? { variant: config.variant } : {}),
    os: 'linux',
    created: last.created,
    config: {
      Env: config.env,
      ...(config.entrypoint ? { Entrypoint: config.entrypoint } : {}),
      Cmd: config.cmd,
    },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((l) => ({ created: l.created, created_by: l.createdBy })),
  });
}

/** The image ID the engine gives these layers + config: the digest of the config JSON. */
export function expectedImageId(layers: readonly Layer[], config: ImageConfig): string {
  return `sha256:${createHash('sha256').update(configJson(layers, config)).digest('hex')}`;
}

/** Load an image made of `layers` (bottom first) under `tag` into our engine. Returns the image ID. */
export async function loadImage(tag: string, layers: readonly Layer[], config: ImageConfig): Promise<string> {
  const json = configJson(layers, config);
  const imageId = expectedImageId(layers, config);
  const dir = mkdtempSync(join(tmpdir(), 'books-standin-'));
  try {
    const layerNames = layers.map((_, i) => `layer${i}.tar`);
    // Symlinks + `tar -h` stream the cached layer tars without copying them.
    layers.forEach((layer, i) => symlinkSync(layer.path, join(dir, layerNames[i] as string)));
    writeFileSync(join(dir, 'config.json'), json);
    writeFileSync(
      join(dir, 'manifest.json'),
      JSON.stringify([{ Config: 'config.json', RepoTags: [tag], Layers: layerNames }]),
    );
    await pipe(
      { cmd: 'tar', args: ['-C', dir, '-chf', '-', 'manifest.json', 'config.json', ...layerNames] },
      { cmd: '/usr/bin/docker', args: ['load', '--quiet'], env: { ...process.env, ...engineEnv() } },
      900_000,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const inspected = (await docker(['image', 'inspect', '--format', '{{.Id}}', tag])).stdout.trim();
  if (inspected !== imageId) throw new Error(`loaded ${tag} but it has ID ${inspected}, expected ${imageId}`);
  return imageId;
}
