import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inAccountingCgroup } from '../accounting';

describe('docker engine: its daemons start inside their cpuacct cgroup', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'engine-cpuacct-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('joins the cgroup, then becomes the command: the pid that joined is the daemon’s, with its arguments', async () => {
    const cgroup = join(dir, 'books-docker'); // a plain directory: cgroup.procs becomes a file holding the pid
    const pidFile = join(dir, 'daemon.pid');
    const [command, args] = inAccountingCgroup('sh', ['-c', 'echo "$$ $1" >"$0"', pidFile, 'an argument'], cgroup);
    const child = spawn(command, args, { stdio: 'ignore' });
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 0);
    assert.equal(readFileSync(join(cgroup, 'cgroup.procs'), 'utf8').trim(), String(child.pid));
    assert.equal(readFileSync(pidFile, 'utf8').trim(), `${child.pid} an argument`);
  });

  it('runs the command as is where there is no cpuacct hierarchy to join', () => {
    const cgroup = join(dir, 'no-such-hierarchy', 'books-docker');
    assert.deepEqual(inAccountingCgroup('dockerd', ['--debug'], cgroup), ['dockerd', ['--debug']]);
    assert.equal(existsSync(cgroup), false);
  });
});
