/**
 * Root hooks of `npm run test:integration`: the whole platform (the `npm run dev` topology) in a throw-away state
 * directory on free ports, started once before all specs and stopped after them. Platform cases read only the
 * environment set here (docs/contracts.md, "Test suites and harnesses"); the drills use the handles through
 * `currentPlatform()`.
 *
 * The gateway's own nginx specs run in the same mocha process and start their own nginx instances: this platform
 * uses its own nginx prefix, config and ports, so the two never share a port, pid file or temp directory.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RootHookObject } from 'mocha';
import { REPO_ROOT, startPlatform, type Platform } from '../../../scripts/dev/platform';
import { requireCommands } from '../../../scripts/prereqs/commands';

/** First build of the apps on a clean checkout (tsc, vite, go) takes a while; later runs reuse the artefacts. */
const START_TIMEOUT_MS = 10 * 60_000;
const STOP_TIMEOUT_MS = 2 * 60_000;
/** Logs of the last run outlive its temporary state directory, for a look after a failure (CI prints them). */
export const INTEGRATION_LOG_DIR = join(REPO_ROOT, '.cache', 'integration-logs');

let platform: Platform | undefined;

/** The running platform's handles (replicas, gateway, database); only valid inside the integration run. */
export function currentPlatform(): Platform {
  if (!platform)
    throw new Error('the integration platform is not running (is test/integration/hooks/platform.ts required?)');
  return platform;
}

async function stopPlatform(): Promise<void> {
  const running = platform;
  platform = undefined;
  await running?.stop();
}

/** An interrupted run (Ctrl-C, CI timeout) still stops every process the platform started. */
function stopOnSignal(signal: NodeJS.Signals): void {
  process.stderr.write(`\n${signal}: stopping the integration platform…\n`);
  stopPlatform().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
}

export const mochaHooks: RootHookObject = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(START_TIMEOUT_MS);
    requireCommands('dev', 'integration');
    const started = Date.now();
    rmSync(INTEGRATION_LOG_DIR, { recursive: true, force: true });
    platform = await startPlatform({
      logDir: INTEGRATION_LOG_DIR,
      log: (line) => process.stdout.write(`    [platform] ${line}\n`),
    });
    process.once('SIGINT', stopOnSignal);
    process.once('SIGTERM', stopOnSignal);
    Object.assign(process.env, platform.env);
    process.stdout.write(
      `    [platform] up in ${((Date.now() - started) / 1000).toFixed(1)} s at ${platform.url} (logs: ${platform.logDir})\n`,
    );
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(STOP_TIMEOUT_MS);
    process.removeListener('SIGINT', stopOnSignal);
    process.removeListener('SIGTERM', stopOnSignal);
    await stopPlatform();
  },
};
