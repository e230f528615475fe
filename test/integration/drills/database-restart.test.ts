// Drill: PostgreSQL is stopped and started again during mixed read/write load. While it is down, requests get
// 503 (never a 500 or a dropped connection); afterwards writes succeed again without touching books; every row
// acknowledged with 201 — before, during or after the outage — is still there.
import { strict as assert } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LoadRequest } from '../../../bench/lib/load';
import { countOutcome, formatHistogram, type OutcomeHistogram } from '../../../bench/lib/stats';
import type { Platform } from '../../../scripts/dev/platform';
import { seedBooks, snapshotBooks, writeHeaders, type Book } from './support/books-api';
import { startLoadPlatform } from '../../../bench/lib/platform';
import { printLoad, printStep } from './support/report';
import { loadDuring } from './support/under-load';

const DRILL = 'database-restart';
const OUTAGE_MS = 3_000;
const WRITES_TO_SEE_AFTER_RECOVERY = 50;
const RECOVERY_LIMIT_MS = 15_000;

type Phase = 'before' | 'stopping' | 'down' | 'starting' | 'after';

describe('drill: PostgreSQL restarts under mixed load', function () {
  this.timeout(180_000);
  let platform: Platform;

  before(async () => {
    platform = await startLoadPlatform(DRILL);
  });
  after(async () => {
    await platform?.stop();
  });

  it('answers 503 while the database is down, recovers alone and keeps every acknowledged row', async () => {
    const seeded = await seedBooks(platform.url, platform.writeToken, 5);
    const booksPids = platform.books.map((replica) => replica.pid);
    let phase: Phase = 'before';
    const statusesByPhase: Record<Phase, OutcomeHistogram> = {
      before: {},
      stopping: {},
      down: {},
      starting: {},
      after: {},
    };
    const acknowledged = new Map<string, Phase>();
    let writesAckedAfter = 0;
    let restartedAt = 0;
    let firstWriteAfterRestartMs = Number.NaN;

    const traffic = (index: number): LoadRequest => {
      const tag = `${phase}:${index % 3 === 0 ? 'write' : 'read'}`;
      return index % 3 === 0
        ? {
            method: 'POST',
            path: '/books',
            headers: writeHeaders(platform.writeToken),
            body: JSON.stringify({ title: `Drill write ${index}`, author: 'Drill Author' }),
            kind: tag,
          }
        : {
            method: 'GET',
            path: index % 2 === 0 ? '/books?limit=5' : `/books/${seeded[index % seeded.length].id}`,
            kind: tag,
          };
    };

    const run = await loadDuring({
      baseUrl: platform.url,
      concurrency: 4,
      minRequests: 2_000,
      maxRequests: 200_000,
      maxDurationMs: 120_000,
      startActionAfter: 1_000,
      nextRequest: traffic,
      // 201/200 are normal; 503 is the only acceptable answer while the database is away.
      isFailure: (record) => record.status === undefined || ![200, 201, 503].includes(record.status),
      onResponse: (record) => {
        const [issuedIn, kind] = (record.request.kind ?? 'before:read').split(':') as [Phase, string];
        countOutcome(statusesByPhase[issuedIn], `${kind}-${record.status ?? record.errorCode}`);
        if (kind === 'write' && record.status === 201) {
          acknowledged.set((JSON.parse(record.body) as Book).id, issuedIn);
          if (issuedIn === 'after') {
            writesAckedAfter++;
            if (writesAckedAfter === 1) firstWriteAfterRestartMs = performance.now() - restartedAt;
          }
        }
      },
      action: async () => {
        phase = 'stopping';
        await platform.database.stop();
        phase = 'down';
        await sleep(OUTAGE_MS);
        phase = 'starting';
        await platform.database.start();
        restartedAt = performance.now();
        phase = 'after';
        while (writesAckedAfter < WRITES_TO_SEE_AFTER_RECOVERY && performance.now() - restartedAt < RECOVERY_LIMIT_MS) {
          await sleep(50);
        }
      },
    });

    for (const name of Object.keys(statusesByPhase) as Phase[]) {
      printStep(DRILL, `issued while ${name}: ${formatHistogram(statusesByPhase[name])}`);
    }
    printStep(
      DRILL,
      `database down for ${OUTAGE_MS} ms; first acknowledged write ${firstWriteAfterRestartMs.toFixed(0)} ms after it was ready again`,
    );
    printLoad(DRILL, 'mixed load (1 write : 2 reads) through the gateway', run.load);

    assert.equal(run.load.failures, 0, `${run.load.failures} answers other than 200/201/503 (or dropped connections)`);
    const down = statusesByPhase.down;
    assert.ok((down['write-503'] ?? 0) > 0, 'no write was answered 503 while the database was down');
    assert.deepEqual(
      Object.keys(down).filter((outcome) => !outcome.endsWith('-503')),
      [],
      'while the database was down every answer must be 503',
    );
    assert.ok(
      writesAckedAfter >= WRITES_TO_SEE_AFTER_RECOVERY,
      `writes did not recover within ${RECOVERY_LIMIT_MS} ms (${writesAckedAfter} acknowledged)`,
    );
    platform.books.forEach((replica, i) =>
      assert.equal(replica.pid, booksPids[i], `${replica.name} was restarted or died; it must recover by itself`),
    );

    const snapshot = await snapshotBooks(platform.url);
    const missing = [...acknowledged.keys()].filter((id) => !snapshot.ids.has(id));
    const beforeOutage = [...acknowledged.values()].filter((issuedIn) => issuedIn === 'before').length;
    printStep(
      DRILL,
      `${acknowledged.size} writes acknowledged (${beforeOutage} before the outage); ${snapshot.count} rows in the table; missing ${missing.length}`,
    );
    assert.deepEqual(missing, [], 'acknowledged rows are missing after the restart');
    assert.ok(
      seeded.every((book) => snapshot.ids.has(book.id)),
      'seeded rows are missing',
    );
  });
});
