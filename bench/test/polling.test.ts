import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parsePollingOption, readGuestHaltPollNs, withGuestHaltPollNs } from '../lib/machine';

describe('bench --polling: the idle-vCPU polling window for the run, restored afterwards', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bench-polling-'));
    file = join(dir, 'guest_halt_poll_ns');
    writeFileSync(file, '0\n');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes nanoseconds or "default" (the kernel default, 200000), and refuses anything else by name', () => {
    assert.equal(parsePollingOption('default'), 200_000);
    assert.equal(parsePollingOption('0'), 0);
    assert.equal(parsePollingOption('150000'), 150_000);
    for (const bad of ['', '-1', '200us', '1e5', '0x10', 'on']) {
      assert.throws(() => parsePollingOption(bad), /--polling takes a window in nanoseconds/, bad);
    }
  });

  it('sets the window while the run runs, and puts the previous one back', async () => {
    const during = await withGuestHaltPollNs(200_000, async () => readGuestHaltPollNs(file), file);
    assert.equal(during, 200_000);
    assert.equal(readFileSync(file, 'utf8').trim(), '0');
  });

  it('puts the previous window back when the run fails', async () => {
    await assert.rejects(
      withGuestHaltPollNs(
        200_000,
        async () => {
          throw new Error('a section broke');
        },
        file,
      ),
      /a section broke/,
    );
    assert.equal(readGuestHaltPollNs(file), 0);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`puts the previous window back when the run is interrupted (${signal}), and still dies of the signal`, async () => {
      const program = `
        const { withGuestHaltPollNs } = require(${JSON.stringify(join(__dirname, '..', 'lib', 'machine'))});
        withGuestHaltPollNs(200000, () => { console.log('running'); return new Promise(() => setInterval(() => {}, 1000)); },
          ${JSON.stringify(file)});`;
      const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', program], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const [started] = (await once(child.stdout, 'data')) as [Buffer];
      assert.equal(started.toString().trim(), 'running');
      assert.equal(readGuestHaltPollNs(file), 200_000);
      child.kill(signal);
      const [code, endedBy] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
      assert.deepEqual({ code, endedBy }, { code: null, endedBy: signal });
      assert.equal(readGuestHaltPollNs(file), 0);
    });
  }

  it('leaves no signal handler behind', async () => {
    const before = process.listenerCount('SIGINT') + process.listenerCount('SIGTERM');
    await withGuestHaltPollNs(1, async () => undefined, file);
    assert.equal(process.listenerCount('SIGINT') + process.listenerCount('SIGTERM'), before);
  });

  it('says why when the machine has no haltpoll driver, and runs nothing', async () => {
    let ran = false;
    await assert.rejects(
      withGuestHaltPollNs(
        200_000,
        async () => {
          ran = true;
        },
        join(dir, 'missing'),
      ),
      /does not exist \(no haltpoll cpuidle driver here\)/,
    );
    assert.equal(ran, false);
  });
});
