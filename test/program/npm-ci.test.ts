/**
 * The first `npm ci` on a fresh machine is quiet (issue 17, item 9): the system Node only runs npm, the project runs
 * on its own Node (the devDependency `node`). Both cases run npm's real engine check (`npm ci --dry-run`, nothing is
 * installed) with npm believing it runs on a given Node version.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';

const REPO_ROOT = resolve(__dirname, '..', '..');
const PRELOAD = join(__dirname, 'support', 'as-node-version.cjs');
/** Older than the project's Node, new enough for npm itself (npm 11 needs ^20.17 or >= 22.9). */
const SYSTEM_NODE = 'v20.19.5';

function projectNodeVersion(): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    devDependencies: Record<string, string>;
  };
  const version = pkg.devDependencies.node;
  assert.ok(version, 'package.json has no devDependency `node`');
  return `v${version}`;
}

/** npm's own entry script (the `npm` on PATH is a link to it). */
function npmCli(): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'npm');
    try {
      if (statSync(candidate).isFile()) return realpathSync(candidate);
    } catch {
      // not in this directory
    }
  }
  throw new Error('npm is not on PATH');
}

/** `npm ci --dry-run` in the repository as a person's shell runs it: no npm_* settings inherited from a parent npm. */
async function npmCiDryRun(asNodeVersion: string, ...args: string[]): Promise<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  const { stdout, stderr } = await promisify(execFile)(
    process.execPath,
    ['-r', PRELOAD, npmCli(), 'ci', '--dry-run', '--offline', ...args],
    { cwd: REPO_ROOT, env: { ...env, BOOKS_AS_NODE_VERSION: asNodeVersion }, maxBuffer: 16 * 1024 * 1024 },
  );
  return stdout + stderr;
}

describe('npm ci on a fresh machine', function () {
  this.timeout(120_000);

  it(`prints no warnings when the system Node (${SYSTEM_NODE}) is not the project's`, async () => {
    const output = await npmCiDryRun(SYSTEM_NODE);
    assert.deepEqual(
      output.split('\n').filter((line) => /\bwarn\b|EBADENGINE/i.test(line)),
      [],
      `npm ci is noisy again (see .npmrc):\n${output}`,
    );
  });

  it("hides nothing real: every locked package accepts the project's own Node", async () => {
    const output = await npmCiDryRun(projectNodeVersion(), '--loglevel=warn');
    assert.deepEqual(
      output.split('\n').filter((line) => /EBADENGINE/.test(line)),
      [],
      `a dependency needs another Node than the project's ${projectNodeVersion()}:\n${output}`,
    );
  });
});
