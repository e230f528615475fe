// Drill: one books replica is SIGKILLed in the middle of ≥ 10,000 GETs through the gateway → zero failures.
import { strict as assert } from 'node:assert';
import type { Platform } from '../../../scripts/dev/platform';
import { seedBooks } from './support/books-api';
import { startLoadPlatform } from '../../../bench/lib/platform';
import { readTraffic } from './support/reads';
import { printLoad, printStep } from './support/report';
import { loadDuring } from './support/under-load';

const DRILL = 'replica-kill';

describe('drill: a books replica is killed (SIGKILL) under load', function () {
  this.timeout(180_000);
  let platform: Platform;

  before(async () => {
    platform = await startLoadPlatform(DRILL);
  });
  after(async () => {
    await platform?.stop();
  });

  it('answers every one of ≥ 10,000 GETs while books-1 dies', async () => {
    const books = await seedBooks(platform.url, platform.writeToken, 10);
    const victim = platform.books[0];
    const victimPid = victim.pid;
    const run = await loadDuring({
      baseUrl: platform.url,
      concurrency: 8,
      minRequests: 10_000,
      maxRequests: 20_000,
      maxDurationMs: 90_000,
      startActionAfter: 2_000,
      nextRequest: readTraffic(books),
      action: async () => {
        victim.kill('SIGKILL');
        assert.ok(await victim.waitForExit(5_000), `${victim.name} survived SIGKILL`);
      },
    });
    printStep(
      DRILL,
      `SIGKILL ${victim.name} (pid ${victimPid}) after ${run.actionStartedAt} responses; gone after ${run.actionMs.toFixed(0)} ms`,
    );
    printLoad(DRILL, 'GET load through the gateway', run.load);

    assert.equal(victim.running, false, 'the victim must really be dead during the rest of the load');
    assert.ok(run.load.requests >= 10_000, `only ${run.load.requests} requests were sent`);
    assert.ok(run.load.requests - run.actionEndedAt >= 2_000, 'too few requests after the kill to mean anything');
    assert.equal(run.load.failures, 0, `${run.load.failures} requests failed`);

    await victim.start();
    printStep(DRILL, `${victim.name} restarted (pid ${victim.pid})`);
  });
});
