// Drill: `nginx -s reload` of the gateway, three times, during load → zero failed requests. On reload the old
// workers close idle keep-alive connections; a GET written onto one at that instant is reset before any answer and
// resent by the client, as browsers and HTTP clients do — such resends are counted and printed, never hidden.
import { strict as assert } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Platform } from '../../../scripts/dev/platform';
import { seedBooks } from './support/books-api';
import { startLoadPlatform } from '../../../bench/lib/platform';
import { readTraffic } from './support/reads';
import { printLoad, printStep } from './support/report';
import { loadDuring } from './support/under-load';

const DRILL = 'gateway-reload';
const RELOADS = 3;

describe('drill: the gateway is reloaded under load', function () {
  this.timeout(180_000);
  let platform: Platform;

  before(async () => {
    platform = await startLoadPlatform(DRILL);
  });
  after(async () => {
    await platform?.stop();
  });

  it(`answers every GET across ${RELOADS} nginx -s reload`, async () => {
    const books = await seedBooks(platform.url, platform.writeToken, 10);
    const masterPid = platform.gateway.pid;
    const run = await loadDuring({
      baseUrl: platform.url,
      concurrency: 8,
      minRequests: 10_000,
      maxRequests: 40_000,
      maxDurationMs: 90_000,
      startActionAfter: 1_000,
      nextRequest: readTraffic(books),
      action: async () => {
        for (let i = 0; i < RELOADS; i++) {
          await platform.gateway.reload();
          await sleep(500);
        }
      },
    });
    printStep(
      DRILL,
      `${RELOADS} reloads from response ${run.actionStartedAt} to ${run.actionEndedAt} (${run.actionMs.toFixed(0)} ms)`,
    );
    printLoad(DRILL, 'GET load through the gateway', run.load);

    assert.equal(platform.gateway.pid, masterPid, 'the nginx master must survive its reloads');
    assert.ok(run.load.requests >= 10_000, `only ${run.load.requests} requests were sent`);
    assert.equal(run.load.failures, 0, `${run.load.failures} requests failed`);
  });
});
