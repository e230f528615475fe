// Drill: a battery of hostile inputs against the gateway and books. Every answer must be a JSON 4xx (never 5xx, never
// a silently dropped connection), no process may die, and the data set must be exactly as before (no case is a
// valid write).
import { strict as assert } from 'node:assert';
import { countOutcome, formatHistogram, type OutcomeHistogram } from '../../../bench/lib/stats';
import type { Platform } from '../../../scripts/dev/platform';
import { seedBooks, snapshotBooks } from './support/books-api';
import { isAlive, platformPids, startLoadPlatform } from '../../../bench/lib/platform';
import { hostileCases } from './support/hostile-cases';
import { rawExchange } from './support/raw-http';
import { printStep } from './support/report';

const DRILL = 'hostile-input';

/** The `error` of a JSON error body, or undefined when the text is not one. */
function jsonErrorCode(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as { error?: unknown };
    return typeof parsed.error === 'string' ? parsed.error : undefined;
  } catch {
    return undefined;
  }
}
const MIN_CASES = 50;

describe('drill: hostile-input battery', function () {
  this.timeout(120_000);
  let platform: Platform;

  before(async () => {
    platform = await startLoadPlatform(DRILL);
  });
  after(async () => {
    await platform?.stop();
  });

  it(`answers ≥ ${MIN_CASES} hostile requests with 4xx, keeps every process alive and the data unchanged`, async () => {
    const [existing] = await seedBooks(platform.url, platform.writeToken, 3);
    const pidsBefore = platformPids(platform);
    const before = await snapshotBooks(platform.url);
    const cases = await hostileCases(platform, existing.id);
    const histogram: OutcomeHistogram = {};
    const wrong: string[] = [];

    for (const hostile of cases) {
      const base = hostile.target === 'gateway' ? platform.url : platform.books[0].url;
      const answer = await rawExchange(base, hostile.payload);
      const outcome = answer.status !== undefined ? String(answer.status) : answer.head === '' ? 'closed' : 'no-status';
      countOutcome(histogram, outcome);
      const http09Answer =
        hostile.http09Error !== undefined &&
        answer.closedByServer &&
        jsonErrorCode(answer.text) === hostile.http09Error;
      const acceptable =
        http09Answer ||
        (answer.status !== undefined &&
          answer.status >= 400 &&
          answer.status < 500 &&
          // Every error of the gateway and the API is in the platform's JSON shape (the web app has its own 404 page).
          (hostile.webApp === true || /^application\/json/.test(answer.contentType ?? '')) &&
          (hostile.status === undefined || hostile.status === answer.status));
      printStep(
        DRILL,
        `${acceptable ? 'ok ' : 'BAD'} ${hostile.target.padEnd(7)} ${outcome.padEnd(9)} ${hostile.name}`,
      );
      if (!acceptable) {
        wrong.push(
          `${hostile.name}: got ${outcome} ${answer.contentType ?? ''}${hostile.http09Error ? `, want the bare JSON ${hostile.http09Error}` : hostile.status ? `, want JSON ${hostile.status}` : ', want JSON 4xx'} (${JSON.stringify(answer.head)})`,
        );
      }
    }

    const after = await snapshotBooks(platform.url);
    const pidsAfter = platformPids(platform);
    const dead = Object.entries(pidsBefore).filter(([name, pid]) => !isAlive(pid) || pidsAfter[name] !== pid);
    printStep(DRILL, `${cases.length} cases; statuses ${formatHistogram(histogram)}; wrong ${wrong.length}`);
    printStep(DRILL, `rows before ${before.count}, after ${after.count}; processes gone or replaced: ${dead.length}`);

    assert.ok(cases.length >= MIN_CASES, `only ${cases.length} cases`);
    assert.deepEqual(wrong, [], 'answers that are not the expected 4xx');
    assert.deepEqual(dead, [], 'processes died during the battery');
    assert.equal(after.canonical, before.canonical, 'the data set changed');
  });
});
