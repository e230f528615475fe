/**
 * Root hooks of `npm run test:images`: start the project's Docker engine, make sure the stand-in base images are
 * there, build the three apps' real Dockerfiles (amd64), run them as the program deploys them (platform.ts) and
 * set the harness environment (docs/contracts.md) for test/integration/platform/**, which then runs against the
 * gateway container. Everything the run started is removed after it; the engine, stand-ins and images stay.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { RootHookObject } from 'mocha';
import { startEngine } from '../../scripts/docker/engine';
import { requireCommands } from '../../scripts/prereqs/commands';
import { ensureStandIns } from '../../scripts/docker/standins';
import { APPS, type AppName } from './apps';
import { buildApp, buildContext, type BuiltImage } from './build';
import { setHarness } from './harness';
import { LOG_DIR, REPO_ROOT } from './paths';
import { startImagesPlatform, stopImagesPlatform } from './platform';

const SETUP_TIMEOUT_MS = 25 * 60_000;
const TEARDOWN_TIMEOUT_MS = 3 * 60_000;

function say(line: string): void {
  process.stdout.write(`    [images] ${line}\n`);
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

let runToClean: { runId: string; stateDir: string } | undefined;

async function cleanUp(): Promise<void> {
  const run = runToClean;
  runToClean = undefined;
  setHarness(undefined);
  if (run) await stopImagesPlatform(run.runId, run.stateDir);
}

function stopOnSignal(signal: NodeJS.Signals): void {
  process.stderr.write(`\n${signal}: removing the images harness containers…\n`);
  cleanUp().finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
}

export const mochaHooks: RootHookObject = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(SETUP_TIMEOUT_MS);
    requireCommands('images');
    mkdirSync(LOG_DIR, { recursive: true });
    const engine = await startEngine();
    say(`engine ${engine.reused ? 'reused' : `started in ${engine.seconds.toFixed(1)} s`}`);

    const standIns = await ensureStandIns(['amd64']);
    for (const s of standIns)
      say(
        `stand-in ${s.image}: ${mb(s.sizeBytes)} (${s.built ? `built in ${s.buildSeconds.toFixed(1)} s` : 'cached'}, load ${s.loadSeconds.toFixed(1)} s)`,
      );

    const postgresImage = await buildContext('postgres-standin', join(REPO_ROOT, 'scripts/docker/postgres'), 'amd64');
    say(`built ${postgresImage.tag} in ${postgresImage.seconds.toFixed(1)} s (${mb(postgresImage.sizeBytes)})`);
    const nginxImage = await buildContext('nginx-standin', join(REPO_ROOT, 'scripts/docker/nginx'), 'amd64');
    say(`built ${nginxImage.tag} in ${nginxImage.seconds.toFixed(1)} s (${mb(nginxImage.sizeBytes)})`);
    const images = {} as Record<AppName, BuiltImage>;
    for (const app of APPS) {
      images[app.name] = await buildApp(app, 'amd64');
      say(
        `built ${images[app.name].tag} in ${images[app.name].seconds.toFixed(1)} s (${mb(images[app.name].sizeBytes)})`,
      );
    }

    process.once('SIGINT', stopOnSignal);
    process.once('SIGTERM', stopOnSignal);
    const platform = await startImagesPlatform({
      books: images.books.tag,
      'books-react': images['books-react'].tag,
      'books-reverse-proxy': images['books-reverse-proxy'].tag,
      postgres: postgresImage.tag,
    });
    runToClean = { runId: platform.runId, stateDir: platform.stateDir };
    Object.assign(process.env, platform.env);
    setHarness({ engineStartSeconds: engine.seconds, standIns, images, postgresImage, nginxImage, platform });
    say(
      `platform up in ${platform.startSeconds.toFixed(1)} s at ${platform.gatewayUrl} (network ${platform.network}; logs ${LOG_DIR})`,
    );
  },
  async afterAll(this: Mocha.Context) {
    this.timeout(TEARDOWN_TIMEOUT_MS);
    process.removeListener('SIGINT', stopOnSignal);
    process.removeListener('SIGTERM', stopOnSignal);
    await cleanUp();
  },
};
