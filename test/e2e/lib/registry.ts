// A real registry on 127.0.0.1 with htpasswd auth: Debian's docker-registry (distribution 2.8) run with our own
// config file and data directory, never the system service. Docker treats 127.0.0.0/8 as an insecure registry, so
// plain HTTP works without daemon configuration.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../scripts/dev/ports';
import { run, waitFor } from '../../../scripts/docker/process';

/** What the checks below need of a registry: where it is and how to log in (any registry, ours or the cluster's). */
export interface RegistryAccess {
  /** host:port, as image names and the stack config use it. */
  server: string;
  username: string;
  password: string;
}

export interface Registry extends RegistryAccess {
  pid: number;
  logFile: string;
}

const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export async function startRegistry(workDir: string, username: string, password: string): Promise<Registry> {
  mkdirSync(join(workDir, 'data'), { recursive: true });
  const htpasswd = await run('htpasswd', ['-Bbn', username, password]);
  writeFileSync(join(workDir, 'htpasswd'), htpasswd.stdout);
  const port = await freePort();
  const config = join(workDir, 'config.yml');
  writeFileSync(
    config,
    [
      'version: 0.1',
      'log: {level: warn}',
      `storage: {filesystem: {rootdirectory: ${join(workDir, 'data')}}, delete: {enabled: true}}`,
      `http: {addr: "127.0.0.1:${port}", secret: e2e-only}`,
      `auth: {htpasswd: {realm: books-e2e, path: ${join(workDir, 'htpasswd')}}}`,
      '',
    ].join('\n'),
  );
  const logFile = join(workDir, 'registry.log');
  const log = openSync(logFile, 'a');
  const child = spawn('docker-registry', ['serve', config], { stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error('docker-registry did not start');
  const registry: Registry = { server: `127.0.0.1:${port}`, username, password, pid: child.pid, logFile };
  await waitFor(
    async () =>
      (await fetch(`http://${registry.server}/v2/`).catch(() => undefined))?.status === 401 ? true : undefined,
    20_000,
    () => `registry on ${registry.server} did not answer 401 on /v2/ (log: ${logFile})`,
  );
  return registry;
}

export function stopRegistry(registry: Registry): void {
  try {
    process.kill(registry.pid, 'SIGTERM');
  } catch {
    // already gone
  }
}

function authHeader(registry: RegistryAccess): string {
  return `Basic ${Buffer.from(`${registry.username}:${registry.password}`).toString('base64')}`;
}

async function registryGet(registry: RegistryAccess, path: string, accept: string): Promise<Response> {
  return fetch(`http://${registry.server}/v2/${path}`, {
    headers: { Authorization: authHeader(registry), Accept: accept },
  });
}

/** Splits "127.0.0.1:5000/books-platform/books@sha256:…" into repository and digest. */
export function parseDigestRef(registry: RegistryAccess, ref: string): { repository: string; digest: string } {
  const match = /^([^@]+)@(sha256:[0-9a-f]{64})$/.exec(ref);
  if (!match || !match[1].startsWith(`${registry.server}/`)) {
    throw new Error(`${ref} is not a digest reference into ${registry.server}`);
  }
  return { repository: match[1].slice(registry.server.length + 1), digest: match[2] };
}

interface ManifestIndex {
  manifests?: { digest: string; platform?: { architecture: string; os: string } }[];
  config?: { digest: string };
}

/** The architectures the registry's manifest for `ref` describes (an index lists several; a manifest has one). */
export async function manifestArchitectures(registry: RegistryAccess, ref: string): Promise<string[]> {
  const { repository, digest } = parseDigestRef(registry, ref);
  const response = await registryGet(registry, `${repository}/manifests/${digest}`, MANIFEST_TYPES);
  if (response.status !== 200) throw new Error(`registry has no manifest ${ref}: HTTP ${response.status}`);
  const manifest = (await response.json()) as ManifestIndex;
  if (manifest.manifests) {
    return manifest.manifests.map((m) => m.platform?.architecture ?? 'unknown').filter((arch) => arch !== 'unknown');
  }
  if (!manifest.config) throw new Error(`manifest ${ref} has neither manifests nor config`);
  const config = await registryGet(registry, `${repository}/blobs/${manifest.config.digest}`, '*/*');
  return [((await config.json()) as { architecture: string }).architecture];
}

/** Whether the registry answers 401 to a manifest request without credentials (auth is really on). */
export async function requiresAuth(registry: RegistryAccess, ref: string): Promise<boolean> {
  const { repository, digest } = parseDigestRef(registry, ref);
  const response = await fetch(`http://${registry.server}/v2/${repository}/manifests/${digest}`, {
    headers: { Accept: MANIFEST_TYPES },
  });
  return response.status === 401;
}
