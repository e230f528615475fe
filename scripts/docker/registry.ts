// A registry of our own on 127.0.0.1 (Debian's docker-registry, i.e. distribution 2.8), configured as our engine's
// mirror for Docker Hub. It serves the stand-ins as multi-arch images under their real names, so
// `FROM node:24-bookworm-slim` resolves per platform exactly as with Docker Hub: `docker build --platform
// linux/arm64` needs no build args and `FROM --platform=$BUILDPLATFORM …` works. (The engine's classic image store
// holds one architecture per name:tag; BuildKit uses it when the platform matches and asks the mirror otherwise.)
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { inAccountingCgroup } from './accounting';
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { freePort } from '../dev/ports';
import { tail, waitFor } from './process';

export const REGISTRY = {
  storage: '/var/lib/books-docker-registry',
  configFile: '/run/books-docker/registry.yml',
  pidFile: '/run/books-docker/registry.pid',
  portFile: '/run/books-docker/registry.port',
  logFile: '/var/log/books-docker/registry.log',
  binary: '/usr/bin/docker-registry',
} as const;

export const MEDIA_TYPES = {
  index: 'application/vnd.oci.image.index.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layer: 'application/vnd.oci.image.layer.v1.tar',
} as const;

interface HttpReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function http(
  method: string,
  url: string,
  body?: { data: Buffer | string; type: string } | { file: string; type: string },
  accept?: string,
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = accept ? { accept } : {};
    if (body) {
      headers['content-type'] = body.type;
      headers['content-length'] = 'file' in body ? statSync(body.file).size : Buffer.byteLength(body.data);
    }
    const req = request(url, { method, headers, timeout: 300_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${method} ${url}: timed out`)));
    if (body && 'file' in body) createReadStream(body.file).pipe(req);
    else req.end(body?.data);
  });
}

function alive(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(REGISTRY.configFile);
  } catch {
    return false;
  }
}

export function registryPort(): number | undefined {
  return existsSync(REGISTRY.portFile) ? Number(readFileSync(REGISTRY.portFile, 'utf8').trim()) : undefined;
}

export function registryUrl(): string {
  const port = registryPort();
  if (port === undefined) throw new Error('the stand-in registry is not running (start the engine first)');
  return `http://127.0.0.1:${port}`;
}

async function answers(port: number): Promise<boolean> {
  try {
    return (await http('GET', `http://127.0.0.1:${port}/v2/`)).status === 200;
  } catch {
    return false;
  }
}

/** Start the registry unless it runs; keeps the port it had (the engine's mirror setting names it). Returns the port. */
export async function ensureRegistry(): Promise<number> {
  const known = registryPort();
  const pid = existsSync(REGISTRY.pidFile) ? Number(readFileSync(REGISTRY.pidFile, 'utf8').trim()) : undefined;
  if (known !== undefined && pid !== undefined && alive(pid) && (await answers(known))) return known;
  const port = known ?? (await freePort());
  mkdirSync(REGISTRY.storage, { recursive: true });
  writeFileSync(
    REGISTRY.configFile,
    [
      'version: 0.1',
      'log:',
      '  level: warn',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${REGISTRY.storage}`,
      'http:',
      `  addr: 127.0.0.1:${port}`,
      '',
    ].join('\n'),
  );
  const log = openSync(REGISTRY.logFile, 'a');
  const [command, args] = inAccountingCgroup(REGISTRY.binary, ['serve', REGISTRY.configFile]);
  const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  child.unref();
  writeFileSync(REGISTRY.pidFile, String(child.pid));
  writeFileSync(REGISTRY.portFile, String(port));
  await waitFor(
    async () => {
      if (exited !== undefined)
        throw new Error(`docker-registry exited (${exited}):\n${tail(readFileSync(REGISTRY.logFile, 'utf8'), 2000)}`);
      return (await answers(port)) ? true : undefined;
    },
    30_000,
    () => `docker-registry did not answer on 127.0.0.1:${port}:\n${tail(readFileSync(REGISTRY.logFile, 'utf8'), 2000)}`,
  );
  return port;
}

export function stopRegistry(): void {
  const pid = existsSync(REGISTRY.pidFile) ? Number(readFileSync(REGISTRY.pidFile, 'utf8').trim()) : undefined;
  if (pid !== undefined && alive(pid)) process.kill(pid, 'SIGTERM');
}

async function pushBlob(
  repo: string,
  digest: string,
  body: { data: Buffer | string } | { file: string },
): Promise<void> {
  const base = registryUrl();
  if ((await http('HEAD', `${base}/v2/${repo}/blobs/${digest}`)).status === 200) return;
  const started = await http('POST', `${base}/v2/${repo}/blobs/uploads/`);
  const location = started.headers.location;
  if (started.status !== 202 || typeof location !== 'string')
    throw new Error(`registry refused an upload to ${repo}: ${started.status} ${started.body}`);
  const url = new URL(location, base);
  url.searchParams.set('digest', digest);
  const done = await http('PUT', url.toString(), { ...body, type: 'application/octet-stream' } as {
    data: Buffer;
    type: string;
  });
  if (done.status !== 201) throw new Error(`registry refused blob ${digest} for ${repo}: ${done.status} ${done.body}`);
}

/** PUT a manifest under `tag`, or under its own digest when no tag is given; returns the digest. */
async function putManifest(repo: string, tag: string | undefined, mediaType: string, json: string): Promise<string> {
  const digest = `sha256:${createHash('sha256').update(json).digest('hex')}`;
  const reply = await http('PUT', `${registryUrl()}/v2/${repo}/manifests/${tag ?? digest}`, {
    data: json,
    type: mediaType,
  });
  if (reply.status !== 201)
    throw new Error(`registry refused manifest ${repo}:${tag ?? digest}: ${reply.status} ${reply.body}`);
  return digest;
}

export interface PlatformManifest {
  digest: string;
  size: number;
  platform: { architecture: string; os: string; variant?: string };
}

/** Push one platform's image (uncompressed layers, config JSON); returns its manifest descriptor. */
export async function pushPlatformImage(
  repo: string,
  layers: readonly { path: string; diffId: string }[],
  configJson: string,
  platform: PlatformManifest['platform'],
): Promise<PlatformManifest> {
  const configDigest = `sha256:${createHash('sha256').update(configJson).digest('hex')}`;
  for (const layer of layers) await pushBlob(repo, layer.diffId, { file: layer.path });
  await pushBlob(repo, configDigest, { data: configJson });
  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.manifest,
    config: { mediaType: MEDIA_TYPES.config, digest: configDigest, size: Buffer.byteLength(configJson) },
    layers: layers.map((l) => ({ mediaType: MEDIA_TYPES.layer, digest: l.diffId, size: statSync(l.path).size })),
  });
  const digest = await putManifest(repo, undefined, MEDIA_TYPES.manifest, manifest);
  return { digest, size: Buffer.byteLength(manifest), platform };
}

/** Tag `repo:tag` as the multi-platform index of `manifests`. */
export async function pushIndex(repo: string, tag: string, manifests: readonly PlatformManifest[]): Promise<string> {
  const index = JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.index,
    manifests: manifests.map((m) => ({
      mediaType: MEDIA_TYPES.manifest,
      digest: m.digest,
      size: m.size,
      platform: m.platform,
    })),
  });
  return putManifest(repo, tag, MEDIA_TYPES.index, index);
}

/** The platform manifests `repo:tag` currently lists (none when absent). */
export async function indexManifests(repo: string, tag: string): Promise<PlatformManifest[]> {
  const reply = await http('GET', `${registryUrl()}/v2/${repo}/manifests/${tag}`, undefined, MEDIA_TYPES.index);
  if (reply.status === 404) return [];
  if (reply.status !== 200) throw new Error(`registry: GET ${repo}:${tag} → ${reply.status} ${reply.body}`);
  const parsed = JSON.parse(reply.body) as { manifests?: PlatformManifest[] };
  return parsed.manifests ?? [];
}
