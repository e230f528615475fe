// What a node pulls for an image: its layers compressed as a registry stores them (gzip, as `docker push` writes
// them), summed. Measured from `docker save` of the image in our engine; nothing leaves the machine.
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { docker } from './engine';
import { run } from './process';

export interface PullSize {
  /** Compressed bytes per layer, base first. */
  layerBytes: number[];
  totalBytes: number;
}

async function gzippedBytes(file: string): Promise<number> {
  let bytes = 0;
  const counter = new Writable({
    write(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      done();
    },
  });
  await pipeline(createReadStream(file), createGzip(), counter);
  return bytes;
}

export async function pullSize(tag: string): Promise<PullSize> {
  const dir = mkdtempSync(join(tmpdir(), 'books-pull-size-'));
  try {
    await docker(['save', '--output', join(dir, 'image.tar'), tag]);
    await run('tar', ['-xf', 'image.tar'], { cwd: dir });
    const [manifest] = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { Layers: string[] }[];
    if (!manifest) throw new Error(`docker save of ${tag} wrote no manifest`);
    const layerBytes: number[] = [];
    for (const layer of manifest.Layers) layerBytes.push(await gzippedBytes(join(dir, layer)));
    return { layerBytes, totalBytes: layerBytes.reduce((sum, bytes) => sum + bytes, 0) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
