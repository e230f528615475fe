import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as yaml from 'js-yaml';
import { FLOOR_DIR, floorProject } from '../lib/pulumi-floor';

const REPO_ROOT = join(__dirname, '..', '..');
const projectYaml = readFileSync(join(REPO_ROOT, 'Pulumi.yaml'), 'utf8');

interface FloorYaml {
  name: string;
  main: string;
  runtime: { name: string; options?: Record<string, unknown> };
}

describe("bench: Pulumi's floor (an empty TypeScript program beside target 3)", () => {
  it('runs with the platform project’s own runtime, its tsconfig found from the floor’s directory', () => {
    const platform = yaml.load(projectYaml) as FloorYaml;
    const floor = yaml.load(floorProject(projectYaml).pulumiYaml) as FloorYaml;
    assert.notEqual(floor.name, platform.name);
    assert.equal(floor.main, 'index.ts');
    assert.equal(floor.runtime.name, platform.runtime.name);
    assert.equal(floor.runtime.options?.typescript, platform.runtime.options?.typescript);
    const tsconfig = (options: FloorYaml['runtime']['options'], dir: string): string =>
      resolve(dir, String(options?.tsconfig));
    assert.equal(
      tsconfig(floor.runtime.options, join(REPO_ROOT, FLOOR_DIR)),
      tsconfig(platform.runtime.options, REPO_ROOT),
    );
  });

  it('keeps a runtime without options as it is', () => {
    const floor = yaml.load(floorProject('name: p\nruntime:\n  name: nodejs\n').pulumiYaml) as FloorYaml;
    assert.deepEqual(floor.runtime, { name: 'nodejs' });
  });

  it('loads @pulumi/pulumi, as every program does, after the platform’s compile cache, and registers nothing', () => {
    const { indexTs } = floorProject(projectYaml);
    const imports = [...indexTs.matchAll(/^import .*'([^']+)';$/gm)].map((match) => match[1]!);
    assert.equal(imports.length, 2);
    // The first resolves, from the floor's directory, to the module the platform's index.ts imports first.
    assert.equal(resolve(REPO_ROOT, FLOOR_DIR, `${imports[0]}.ts`), join(REPO_ROOT, 'components', 'compile-cache.ts'));
    assert.ok(existsSync(resolve(REPO_ROOT, FLOOR_DIR, `${imports[0]}.ts`)));
    assert.equal(imports[1], '@pulumi/pulumi');
    assert.doesNotMatch(indexTs, /\bnew\b/);
  });
});
