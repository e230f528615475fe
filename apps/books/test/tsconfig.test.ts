import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** tsconfig.build.json cannot extend the root base (the image's build context is apps/books): keep them in step. */
describe('tsconfig.build.json', function () {
  const appDir = join(__dirname, '..');
  const tsc = require.resolve('typescript/bin/tsc');
  const effective = (project: string) =>
    JSON.parse(execFileSync(process.execPath, [tsc, '--showConfig', '-p', project], { cwd: appDir }).toString())
      .compilerOptions as Record<string, unknown>;

  it('agrees with ../../tsconfig.base.json on every option that shapes the emitted code', function () {
    const build = effective('tsconfig.build.json');
    const base = effective('tsconfig.json');
    for (const option of [
      'target',
      'lib',
      'module',
      'moduleResolution',
      'strict',
      'esModuleInterop',
      'resolveJsonModule',
      'sourceMap',
    ]) {
      assert.deepEqual(build[option], base[option], option);
    }
    assert.equal(build.outDir, './dist');
  });
});
