// Drill: `nginx -s reload` of the gateway, three times, during load → every request answered 2xx, except that
// nginx 1.22 may reset a few keep-alive connections as the old workers close them (bounded: see reload-resets.ts).
import { strict as assert } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Platform } from '../../../scripts/dev/platform';
import { seedBooks } from './support/books-api';
import { startLoadPlatform } from '../../../bench/lib/platform';
import { readTraffic } from './support/reads';
import { countReloadFailures, failed, MAX_TOLERATED_RESET_SHARE, type NumberedFailure } from './support/reload-resets';
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

  it(`answers every GET across ${RELOADS} nginx -s reload (but ≤ ${MAX_TOLERATED_RESET_SHARE * 100} % resets before any answer while reloading)`, async () => {
    const books = await seedBooks(platform.url, platform.writeToken, 10);
    const masterPid = platform.gateway.pid;
    const failures: NumberedFailure[] = [];
    let answered = 0;
    const run = await loadDuring({
      onResponse: (record) => {
        answered++;
        if (failed(record)) failures.push({ record, answeredAs: answered });
      },
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
    const counts = countReloadFailures(failures, run.load.requests, {
      start: run.actionStartedAt,
      end: run.actionEndedAt,
    });
    printStep(
      DRILL,
      `failures by class: ${JSON.stringify(counts.byClass)}; tolerated resets ${counts.toleratedResets} of ` +
        `${counts.requests} (${((counts.toleratedResets / counts.requests) * 100).toFixed(3)} %, budget ` +
        `${MAX_TOLERATED_RESET_SHARE * 100} %), other failures ${counts.otherFailures}`,
    );
    printStep(
      DRILL,
      'NOTE: nginx 1.22 reload does not guarantee zero resets: old workers close idle keep-alive connections, and a ' +
        'request written onto one at that instant is reset before any answer. Measured: 0-7 of 10,007 GETs in 10 ' +
        'runs of this drill (<= 0.07 %); on a bare nginx 160 of 188,795 (0.085 %) before resends over 20 reloads. ' +
        'Clients must resend idempotent requests on such a reset; see the drills README.',
    );

    assert.equal(platform.gateway.pid, masterPid, 'the nginx master must survive its reloads');
    assert.ok(run.load.requests >= 10_000, `only ${run.load.requests} requests were sent`);
    assert.equal(counts.otherFailures, 0, `${counts.otherFailures} requests failed otherwise than by a reload reset`);
    assert.ok(
      counts.withinBudget,
      `${counts.toleratedResets} resets exceed ${MAX_TOLERATED_RESET_SHARE * 100} % of ${counts.requests} requests`,
    );
  });
});
