import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sleep } from '../../scripts/docker/process';
import { EngineEventLog } from '../lib/engine-event-log';

const line = (sequence: number): string => `${JSON.stringify({ sequence, timestamp: 1796336000, cancelEvent: {} })}\n`;

describe("bench: following pulumi's engine event log", () => {
  let dir: string;
  let log: EngineEventLog | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'books-event-log-'));
  });
  afterEach(() => {
    log?.stop();
    log = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the file empty and stamps each event when it is written, not when it is read', async () => {
    const path = join(dir, 'events.jsonl');
    log = new EngineEventLog(path);
    assert.equal(readFileSync(path, 'utf8'), '');
    appendFileSync(path, line(0));
    await sleep(150);
    const secondWrittenAt = performance.now();
    // One event split across two writes, as a writer may flush it.
    const second = line(1);
    appendFileSync(path, second.slice(0, 10));
    await sleep(50);
    const secondEndWrittenAt = performance.now();
    appendFileSync(path, second.slice(10));
    await sleep(150);
    const readAt = performance.now();
    const events = log.read();
    assert.deepEqual(
      events.map(({ event }) => event.sequence),
      [0, 1],
    );
    assert.ok(events[0]!.atMs < secondWrittenAt, 'the first event was stamped before the second was written');
    assert.ok(
      events[1]!.atMs >= secondEndWrittenAt && events[1]!.atMs < readAt,
      'the second when its end arrived, not at its first half',
    );
  });

  it('a line that is not an engine event fails the read, naming the file', () => {
    const path = join(dir, 'events.jsonl');
    log = new EngineEventLog(path);
    appendFileSync(path, line(0) + '{"no":"sequence"}\n' + line(2));
    assert.throws(
      () => log!.read(),
      (error: Error) => error.message.includes(path) && error.message.includes('"no"'),
    );
  });

  it('an unfinished last line (the CLI cut off mid-event) fails the read', () => {
    const path = join(dir, 'events.jsonl');
    log = new EngineEventLog(path);
    appendFileSync(path, line(0) + line(1).slice(0, 12));
    assert.throws(() => log!.read(), /ends in an unfinished line/);
  });

  it('stops once, however often it is told to', () => {
    log = new EngineEventLog(join(dir, 'events.jsonl'));
    log.stop();
    assert.doesNotThrow(() => log!.stop());
  });
});
