/**
 * The one table of external commands (scripts/prereqs/commands.tsv): every command a harness spawns is in it, the
 * install script installs exactly its packages, and a harness's up-front check names the package of what is missing.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { commandTable, missingCommands, parseTable } from '../../scripts/prereqs/commands';

const repoRoot = join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (['node_modules', 'dist', '.cache', '.git'].includes(entry.name)) return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Commands spawned with a literal name: node's child_process calls, `{ cmd|command|cli|dockerd|binary: '…' }`
 * specs handed to a spawner, and `run('…')` where `run` is the process helper (imported from a `process` module,
 * or a local `function run(command, …)`); a `run` of another kind (a test's own helper) is not a spawn.
 */
export function spawnedCommands(source: string): string[] {
  const callers = ['spawn', 'spawnSync', 'execFile', 'execFileSync', 'firstLine'];
  const runSpawns =
    /import\s*{[^}]*\brun\b[^}]*}\s*from\s*'[^']*process'/.test(source) || /function run\(command\b/.test(source);
  if (runSpawns) callers.push('run');
  const calls = new RegExp(`\\b(?:${callers.join('|')})\\(\\s*'([^']+)'`, 'g');
  const fields = /\b(?:cmd|command|cli|dockerd|binary):\s*'([^']+)'/g;
  return [...source.matchAll(calls), ...source.matchAll(fields)].map((match) => basename(match[1]!));
}

describe('external commands table (scripts/prereqs/commands.tsv)', () => {
  const table = commandTable();
  const listed = new Set(table.map((row) => row.command));

  it('lists every command a harness spawns', () => {
    const unlisted: string[] = [];
    // This file's own fixtures are not spawns.
    for (const file of sourceFiles(repoRoot).filter((path) => path !== __filename)) {
      for (const command of spawnedCommands(readFileSync(file, 'utf8'))) {
        if (!listed.has(command)) unlisted.push(`${relative(repoRoot, file)}: ${command}`);
      }
    }
    assert.deepEqual(unlisted, []);
  });

  it('the scan finds spawns and ignores a test helper named run', () => {
    const source = [
      "import { run } from '../docker/process';",
      "await run('htpasswd', ['-Bbn']);",
      "execFileSync(\n  'openssl',\n  ['req']);",
      "const spec = { cmd: '/usr/bin/docker', args: [] };",
    ].join('\n');
    assert.deepEqual(spawnedCommands(source).sort(), ['docker', 'htpasswd', 'openssl']);
    assert.deepEqual(spawnedCommands("async function run(suffix: string) {}\nrun('no-healthcheck');"), []);
  });

  it('installs htpasswd (the e2e registry) from apache2-utils', () => {
    assert.equal(table.find((row) => row.command === 'htpasswd')?.debianPackage, 'apache2-utils');
  });

  it('holds the local cluster packages, each with a purpose', () => {
    const cluster = table.filter((row) => row.usedBy.includes('cluster')).map((row) => row.debianPackage);
    for (const name of [
      'containerd',
      'runc',
      'containernetworking-plugins',
      'ipset',
      'conntrack',
      'socat',
      'iptables',
      'busybox-static',
    ]) {
      assert.ok(cluster.includes(name), name);
    }
  });

  it('is what scripts/install-prereqs.sh installs', () => {
    const script = readFileSync(join(repoRoot, 'scripts', 'install-prereqs.sh'), 'utf8');
    const loop = /^declare -A PACKAGES=\(\)\n[\s\S]*?^done <.*$/m.exec(script)?.[0];
    assert.ok(loop, 'install-prereqs.sh reads the table into PACKAGES');
    const installed = execFileSync(
      'bash',
      [
        '-c',
        `${loop.replace(/done <.*$/, 'done <"$1"')}\nprintf '%s\\n' "\${!PACKAGES[@]}"`,
        'table',
        join(repoRoot, 'scripts', 'prereqs', 'commands.tsv'),
      ],
      { encoding: 'utf8' },
    );
    const expected = new Set(table.flatMap((row) => (row.debianPackage ? [row.debianPackage] : [])));
    assert.deepEqual(new Set(installed.trim().split('\n')), expected);
  });

  it("a harness's check names the missing command's package", () => {
    const emptyPath = mkdtempSync(join(tmpdir(), 'books-no-commands-'));
    const missing = missingCommands(['e2e'], emptyPath);
    rmSync(emptyPath, { recursive: true });
    assert.ok(
      missing.some((line) => line.startsWith('htpasswd (Debian package apache2-utils')),
      missing.join('\n'),
    );
  });

  it('refuses a malformed row and an unknown harness', () => {
    assert.throws(() => parseTable('htpasswd\tapache2-utils\te2e\n'), /4 tab-separated columns/);
    assert.throws(() => parseTable('htpasswd\tapache2-utils\tdeploy\tx\n'), /unknown harness deploy/);
  });
});
