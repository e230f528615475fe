/**
 * `npm run dev` as a user runs it: started through npm, stopped with Ctrl-C (SIGINT to the terminal's process group)
 * or SIGTERM to npm; nothing it started may survive, and the data survives a restart.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from '../platform';
import { processTree, survivors, type ProcessRecord } from './process-tree';

/** Every port chosen free by the kernel, so the test never clashes with a developer's `npm run dev`. */
const FREE_PORTS = [
  '--port',
  '0',
  '--metrics-port',
  '0',
  '--db-port',
  '0',
  '--books-ports',
  '0,0',
  '--web-ports',
  '0,0',
];

interface DevRun {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startDev(args: readonly string[], env: NodeJS.ProcessEnv = process.env): DevRun {
  // detached: its own process group, like a shell job, so the test can send "Ctrl-C" to the whole group.
  const child = spawn('npm', ['run', '-s', 'dev', '--', ...args], { cwd: REPO_ROOT, env, detached: true });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForBanner(run: DevRun): Promise<{ url: string; token: string }> {
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    const text = run.output();
    const url = /books platform is up: (http:\/\/127\.0\.0\.1:\d+)/.exec(text)?.[1];
    const token = /^(eyJ[\w-]+\.[\w-]+\.[\w-]+)$/m.exec(text)?.[1];
    if (url && token) return { url, token };
    if (run.child.exitCode !== null) throw new Error(`npm run dev exited early:\n${text}`);
    if (Date.now() > deadline) throw new Error(`npm run dev was not up within 5 minutes:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Sends the stop signal, then waits until every process recorded while the platform ran is gone. npm itself may
 * exit at once (on SIGTERM it forwards the signal and exits); the orchestrator's last line tells a clean stop.
 */
async function stopAndCheck(
  run: DevRun,
  stop: () => void,
  tree: readonly ProcessRecord[],
  { cleanStop } = { cleanStop: true },
): Promise<void> {
  stop();
  const deadline = Date.now() + 60_000;
  while (survivors(tree).length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(
    survivors(tree).map((record) => `${record.pid} ${record.command}`),
    [],
    `processes of npm run dev survived it:\n${run.output()}`,
  );
  if (cleanStop) assert.match(run.output(), /stopped: no process left behind/, run.output());
}

/** The person's own environment: nothing inherited from npm or from the integration run's platform. */
function personEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const own = Object.entries(process.env).filter(
    ([name]) => !/^(npm_|BOOKS_JWT_|BOOKS_PLATFORM_|BOOKS_WRITE_)/i.test(name),
  );
  return { ...Object.fromEntries(own), ...extra };
}

/** The indented command block the banner prints under `heading`, as a person copies it. */
function printedCommands(output: string, heading: string): string {
  const lines = output.split('\n');
  const start = lines.findIndex((line) => line.startsWith(heading));
  assert.ok(start >= 0, `the banner has no "${heading}" block:\n${output}`);
  const block: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('  ')) break;
    block.push(line.slice(2));
  }
  assert.ok(block.length > 0, `"${heading}" is followed by no command:\n${output}`);
  return block.join('\n');
}

/** Pastes `commands` into a new shell in the repository, as the person who started `npm run dev` would. */
async function pasteIntoShell(commands: string, env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await promisify(execFile)('bash', ['-c', commands], { cwd: REPO_ROOT, env });
  return stdout;
}

/** Cleanup after a failed case: whatever is left of the group goes. */
function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // Already gone: the normal case.
  }
}

describe('npm run dev', () => {
  let stateDir: string;
  before(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'books-dev-test-'));
    // PostgreSQL runs as another user when the tests run as root: it must traverse the directory.
    chmodSync(stateDir, 0o755);
  });
  after(() => rmSync(stateDir, { recursive: true, force: true }));

  let bookId = '';

  it('prints commands that run as printed (the API example, more tokens), and Ctrl-C (SIGINT to the group) leaves no process behind', async function () {
    this.timeout(6 * 60_000);
    // The state directory from the environment, as a person's shell would set it: then `npm run token` finds the key.
    const shell = personEnv({ BOOKS_DEV_STATE_DIR: stateDir });
    const run = startDev([...FREE_PORTS, '--no-sample-data'], shell);
    const pgid = run.child.pid as number;
    try {
      const { url } = await waitForBanner(run);
      const created = JSON.parse(await pasteIntoShell(printedCommands(run.output(), 'Try the API'), shell)) as {
        id: string;
        title: string;
      };
      assert.equal(created.title, 'Kindred');
      bookId = created.id;
      assert.equal((await fetch(`${url}/books/${bookId}`)).status, 200);

      const minted = await pasteIntoShell(printedCommands(run.output(), 'More tokens'), shell);
      const token = /^(eyJ[\w-]+\.[\w-]+\.[\w-]+)$/m.exec(minted)?.[1];
      assert.ok(token, `no token from the printed command:\n${minted}`);
      const written = await fetch(`${url}/books`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title: 'Minted by npm run token', author: 'Dev Loop' }),
      });
      assert.equal(written.status, 201, await written.text());
      const tree = processTree(pgid);
      // npm, the orchestrator, PostgreSQL (+ its workers), 2 books, 2 books-react, gatewayd, nginx (+ workers).
      assert.ok(
        tree.length >= 10,
        `expected the whole platform below npm, found:\n${tree.map((r) => r.command).join('\n')}`,
      );
      await stopAndCheck(run, () => process.kill(-pgid, 'SIGINT'), tree);
    } finally {
      killGroup(pgid);
    }
  });

  it('keeps the books of the previous run, and SIGTERM to npm alone leaves no process behind', async function () {
    assert.notEqual(bookId, '', 'needs the book of the previous case');
    this.timeout(6 * 60_000);
    const run = startDev([...FREE_PORTS, '--state-dir', stateDir, '--no-sample-data']);
    const pgid = run.child.pid as number;
    try {
      const { url } = await waitForBanner(run);
      const read = await fetch(`${url}/books/${bookId}`);
      assert.equal(read.status, 200);
      assert.equal(((await read.json()) as { title: string }).title, 'Kindred');
      const tree = processTree(pgid);
      await stopAndCheck(run, () => process.kill(pgid, 'SIGTERM'), tree);
    } finally {
      killGroup(pgid);
    }
  });

  it('even when the orchestrator is SIGKILLed, its watchdog removes every process it started', async function () {
    this.timeout(6 * 60_000);
    const run = startDev([...FREE_PORTS, '--state-dir', stateDir, '--no-sample-data']);
    const pgid = run.child.pid as number;
    try {
      await waitForBanner(run);
      const tree = processTree(pgid);
      const orchestrator = tree.find((record) => /ts-node .*scripts\/dev\/main\.ts/.test(record.command));
      assert.ok(orchestrator, `no orchestrator among:\n${tree.map((r) => r.command).join('\n')}`);
      await stopAndCheck(run, () => process.kill(orchestrator.pid, 'SIGKILL'), tree, { cleanStop: false });
    } finally {
      killGroup(pgid);
    }
  });

  it('explains how to install nginx when it is missing, and starts nothing', async function () {
    this.timeout(60_000);
    const run = startDev([...FREE_PORTS, '--state-dir', stateDir], {
      ...process.env,
      BOOKS_DEV_NGINX: '/nonexistent/nginx',
    });
    assert.equal(await run.exited, 1, run.output());
    assert.match(run.output(), /needs nginx.*sudo apt-get install nginx libnginx-mod-http-js/);
  });

  it('rejects a bad option with the usage text (exit 2)', async function () {
    this.timeout(60_000);
    const run = startDev(['--port', 'eighty']);
    assert.equal(await run.exited, 2, run.output());
    assert.match(run.output(), /--port: expected a port number/);
    assert.match(run.output(), /Usage: npm run dev/);
  });

  it('names the option to change when a port is taken', async function () {
    this.timeout(60_000);
    const { createServer } = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const run = startDev([...FREE_PORTS, '--port', String(taken), '--state-dir', stateDir]);
      assert.equal(await run.exited, 1, run.output());
      assert.match(run.output(), new RegExp(`port ${taken} for gateway is not free`));
    } finally {
      blocker.close();
    }
  });
});
