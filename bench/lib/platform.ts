// A platform of its own for each drill and for the bench (own ports, ephemeral data), never the shared one.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { liftLimits } from '../../apps/books-reverse-proxy/src/local';
import { REPO_ROOT, startPlatform, type Platform, type PlatformOptions } from '../../scripts/dev/platform';

/** startPlatform with the per-client limits lifted (then `options.customizeGateway`, if any); `label` prefixes its progress lines. */
export async function startLoadPlatform(label: string, options: PlatformOptions = {}): Promise<Platform> {
  const { customizeGateway, ...platformOptions } = options;
  const started = performance.now();
  // Kept after the ephemeral state directory is gone, for a look after a failed drill; one run's worth.
  const logDir = join(REPO_ROOT, '.cache', 'load-logs', label);
  rmSync(logDir, { recursive: true, force: true });
  const platform = await startPlatform({
    log: (line) => console.log(`      [${label}] ${line}`),
    logLevel: 'warn',
    logDir,
    ...platformOptions,
    customizeGateway: (gateway) => {
      const lifted = liftLimits(gateway);
      return customizeGateway ? customizeGateway(lifted) : lifted;
    },
  });
  console.log(
    `      [${label}] platform up in ${((performance.now() - started) / 1000).toFixed(1)} s at ${platform.url}`,
  );
  return platform;
}

/** Every process of the platform (gateway, replicas, database) that is expected to be running. */
export function platformPids(platform: Platform): Record<string, number | undefined> {
  return {
    gateway: platform.gateway.pid,
    database: platform.database.pid,
    ...Object.fromEntries([...platform.books, ...platform.booksReact].map((replica) => [replica.name, replica.pid])),
  };
}

export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
