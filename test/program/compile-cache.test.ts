/**
 * The program turns on Node's module compile cache before it loads anything else, so repeated Pulumi operations
 * load the SDKs faster; and the switches Node documents still move it or turn it off.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import ts from 'typescript';

const root = resolve(__dirname, '..', '..');

/** Loads components/compile-cache the way the program does, then a module, and prints where the cache is. */
function loadInChild(env: Record<string, string>): { cacheDir: string } {
  const program = `
    require(${JSON.stringify(join(root, 'components', 'compile-cache'))});
    require('zod');
    console.log(JSON.stringify({ cacheDir: require('node:module').getCompileCacheDir() ?? '' }));`;
  const { NODE_COMPILE_CACHE: _dir, NODE_DISABLE_COMPILE_CACHE: _off, ...inherited } = process.env;
  const child = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', '-e', program], {
    cwd: root,
    env: { ...inherited, ...env },
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as { cacheDir: string };
}

describe('the program: Node compile cache', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'books-compile-cache-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('index.ts imports components/compile-cache before anything else', () => {
    const source = ts.createSourceFile(
      'index.ts',
      readFileSync(join(root, 'index.ts'), 'utf8'),
      ts.ScriptTarget.ES2023,
    );
    const first = source.statements.find(ts.isImportDeclaration);
    assert.ok(first && ts.isStringLiteral(first.moduleSpecifier));
    assert.equal(first.moduleSpecifier.text, './components/compile-cache');
  });

  // Through TMPDIR, not NODE_COMPILE_CACHE: that variable alone would turn the cache on without the program.
  it('writes the compiled code of the modules loaded after it to the cache directory', () => {
    const { cacheDir } = loadInChild({ TMPDIR: dir });
    assert.ok(cacheDir.startsWith(dir), `cache in ${cacheDir}`);
    const entries = readdirSync(join(dir, 'node-compile-cache'), { recursive: true, withFileTypes: true }).filter(
      (entry) => entry.isFile(),
    );
    assert.ok(entries.length > 0, 'cache entries written at exit');
  });

  it('stays off with NODE_DISABLE_COMPILE_CACHE=1', () => {
    assert.equal(loadInChild({ TMPDIR: dir, NODE_DISABLE_COMPILE_CACHE: '1' }).cacheDir, '');
    assert.ok(!readdirSync(dir).includes('node-compile-cache'));
  });
});
