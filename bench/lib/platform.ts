// Each destructive drill runs against a platform of its own (own ports, ephemeral data), never the shared one.
import { readFileSync, writeFileSync } from 'node:fs';
import { startPlatform, type Platform } from '../../../../scripts/dev/platform';

/**
 * The production per-client limits (50 req/s, burst 100, 50 connections) would turn a drill's load from 127.0.0.1
 * into 429s: the drills test failover, not rate limiting. PlatformOptions has no gateway override yet, so the
 * rendered config is patched and reloaded — every pattern must match, or the drill fails loudly here.
 */
const DRILL_LIMITS: readonly [pattern: RegExp, replacement: string][] = [
  [/rate=\d+r\/s/g, 'rate=1000000r/s'],
  [/burst=\d+/g, 'burst=1000000'],
  [/limit_conn gw_connections \d+;/g, 'limit_conn gw_connections 10000;'],
];

async function liftRateLimits(platform: Platform): Promise<void> {
  let config = readFileSync(platform.gateway.configFile, 'utf8');
  for (const [pattern, replacement] of DRILL_LIMITS) {
    if (!pattern.test(config)) throw new Error(`gateway config has no ${pattern} to lift for the drill`);
    config = config.replace(pattern, replacement);
  }
  writeFileSync(platform.gateway.configFile, config);
  await platform.gateway.reload();
}

export async function startDrillPlatform(drill: string): Promise<Platform> {
  const started = performance.now();
  const platform = await startPlatform({ log: (line) => console.log(`      [${drill}] ${line}`), logLevel: 'warn' });
  try {
    await liftRateLimits(platform);
  } catch (error) {
    await platform.stop();
    throw error;
  }
  console.log(
    `      [${drill}] platform up in ${((performance.now() - started) / 1000).toFixed(1)} s at ${platform.url}`,
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
