/**
 * Root hooks of `npm run test:cluster`: bring the platform up on the local single-node cluster (lib/deploy.ts: the
 * project's Docker engine, scripts/cluster/node.sh, the PostgreSQL stand-in in the cluster's registry, `pulumi up`
 * of a K3s-like amd64 stack with the in-cluster PostgreSQL, every pod Ready) and set the harness environment
 * (docs/contracts.md) for test/integration/platform/** and the browser suite, which then run through the gateway's
 * LoadBalancer address. Everything is stopped after the run (BOOKS_CLUSTER_KEEP=1 keeps the cluster and the work dir
 * for a look).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { RootHookObject } from 'mocha';
import { CLUSTER_TIMINGS_FILE } from '../../bench/sections/program';
import { sharedDefaults } from '../../stacks/config';
import { Timings } from '../e2e/lib/timings';
import { ClusterRun } from './lib/deploy';
import { setHarness } from './lib/harness';

const SETUP_TIMEOUT_MS = 40 * 60_000;
const keep = process.env.BOOKS_CLUSTER_KEEP === '1';

function say(line: string): void {
  process.stdout.write(`    [cluster] ${line}\n`);
}

const timings = new Timings(say);
const time = <T>(label: string, body: () => Promise<T>): Promise<T> => timings.time(label, body);
const run = new ClusterRun();

async function cleanUp(): Promise<void> {
  setHarness(undefined);
  await run.cleanUp(keep);
}

function stopOnSignal(signal: NodeJS.Signals): void {
  process.stderr.write(`\n${signal}: stopping the local cluster…\n`);
  cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
}

export const mochaHooks: RootHookObject = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(SETUP_TIMEOUT_MS);
    process.once('SIGINT', stopOnSignal);
    process.once('SIGTERM', stopOnSignal);
    const platform = await run.deploy({ say, time, showUpOutput: true });
    Object.assign(process.env, {
      BOOKS_PLATFORM_URL: platform.gatewayUrl,
      BOOKS_WRITE_TOKEN: platform.writeToken,
      BOOKS_JWT_HS256_KEY_FILE: platform.hs256KeyFile,
      BOOKS_JWT_ISSUER: sharedDefaults.jwtIssuer,
      BOOKS_JWT_AUDIENCE: sharedDefaults.jwtAudience,
    });
    setHarness({ ...platform, time });
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(5 * 60_000);
    process.removeListener('SIGINT', stopOnSignal);
    process.removeListener('SIGTERM', stopOnSignal);
    say('timings:');
    for (const [label, seconds] of timings.entries) say(`  ${label}: ${seconds.toFixed(1)} s`);
    // `npm run bench` publishes these (cluster start, first up, change to new pods serving, preview, destroy).
    mkdirSync(dirname(CLUSTER_TIMINGS_FILE), { recursive: true });
    writeFileSync(CLUSTER_TIMINGS_FILE, `${JSON.stringify(Object.fromEntries(timings.entries), null, 2)}\n`);
    await cleanUp();
  },
};
