// A platform of its own for each drill and for the bench (own ports, ephemeral data), never the shared one.
import { readFileSync, writeFileSync } from 'node:fs';
import { startPlatform, type Platform, type PlatformOptions } from '../../scripts/dev/platform';

/**
 * The production per-client limits (50 req/s, burst 100, 50 connections) would turn load from 127.0.0.1 into 429s:
 * drills test failover and the bench measures cost, not rate limiting. PlatformOptions has no gateway override
 * yet, so the rendered config is patched and reloaded — every pattern must match, or this fails loudly.
 */
const LIFTED_LIMITS: readonly [pattern: RegExp, replacement: string][] = [
  [/rate=\d+r\/s/g, 'rate=1000000r/s'],
  [/burst=\d+/g, 'burst=1000000'],
  [/limit_conn gw_connections \d+;/g, 'limit_conn gw_connections 10000;'],
];

async function liftRateLimits(platform: Platform): Promise<void> {
  let config = readFileSync(platform.gateway.configFile, 'utf8');
  for (const [pattern, replacement] of LIFTED_LIMITS) {
    if (!pattern.test(config)) throw new Error(`gateway config has no ${pattern} to lift`);
    config = config.replace(pattern, replacement);
  }
  writeFileSync(platform.gateway.configFile, config);
  await platform.gateway.reload();
}

/** startPlatform with the per-client limits lifted; `label` prefixes its progress lines. */
export async function startLoadPlatform(label: string, options: PlatformOptions = {}): Promise<Platform> {
  const started = performance.now();
  const platform = await startPlatform({
    log: (line) => console.log(`      [${label}] ${line}`),
    logLevel: 'warn',
    ...options,
  });
  try {
    await liftRateLimits(platform);
  } catch (error) {
    await platform.stop();
    throw error;
  }
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
