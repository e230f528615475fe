// Drill: rolling restart of books — each replica in turn gets SIGTERM (graceful), is started again and is
// waited for until ready — during load → zero failed requests.
import { strict as assert } from 'node:assert';
import type { Platform } from '../../../scripts/dev/platform';
import { seedBooks } from './support/books-api';
import { startLoadPlatform } from '../../../bench/lib/platform';
import { readTraffic } from './support/reads';
import { printLoad, printStep } from './support/report';
import { loadDuring } from './support/under-load';

const DRILL = 'rolling-restart';

describe('drill: rolling restart of books under load', function () {
  this.timeout(180_000);
  let platform: Platform;

  before(async () => {
    platform = await startLoadPlatform(DRILL);
  });
  after(async () => {
    await platform?.stop();
  });

  it('answers every GET while each books replica is restarted in turn', async () => {
    const books = await seedBooks(platform.url, platform.writeToken, 10);
    const pidsBefore = platform.books.map((replica) => replica.pid);
    const steps: string[] = [];
    const run = await loadDuring({
      baseUrl: platform.url,
      concurrency: 8,
      minRequests: 10_000,
      maxRequests: 100_000,
      maxDurationMs: 120_000,
      startActionAfter: 1_000,
      nextRequest: readTraffic(books),
      action: async () => {
        for (const replica of platform.books) {
          const began = performance.now();
          await replica.stop(); // SIGTERM, then the replica drains
          const stopped = performance.now();
          await replica.start(); // resolves once /readyz answers 2xx
          steps.push(
            `${replica.name}: stopped in ${(stopped - began).toFixed(0)} ms, ready again in ${(performance.now() - stopped).toFixed(0)} ms`,
          );
        }
      },
    });
    for (const step of steps) printStep(DRILL, step);
    printStep(
      DRILL,
      `rolling restart from response ${run.actionStartedAt} to ${run.actionEndedAt} (${run.actionMs.toFixed(0)} ms)`,
    );
    printLoad(DRILL, 'GET load through the gateway', run.load);

    platform.books.forEach((replica, i) =>
      assert.notEqual(replica.pid, pidsBefore[i], `${replica.name} was not restarted`),
    );
    assert.ok(run.load.requests >= 10_000, `only ${run.load.requests} requests were sent`);
    assert.equal(run.load.failures, 0, `${run.load.failures} requests failed`);
  });
});
