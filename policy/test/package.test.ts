/**
 * The pack is self-contained (publishable with `pulumi policy publish` and enforceable org-wide): every module it
 * imports is its own pinned dependency, its lockfile matches, its tsconfig stands alone, and the pins are the root's,
 * so the tests here exercise what the pack ships with.
 */
import * as assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import * as fs from 'node:fs';
import * as path from 'node:path';

const packDir = path.join(__dirname, '..');
const readJson = (file: string): Record<string, unknown> => JSON.parse(fs.readFileSync(file, 'utf8'));

interface PackageJson {
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}
interface PackageLock {
  packages: Record<string, { version?: string; dependencies?: Record<string, string> }>;
}

const pack = readJson(path.join(packDir, 'package.json')) as PackageJson;
const root = readJson(path.join(packDir, '..', 'package.json')) as PackageJson;
const lock = readJson(path.join(packDir, 'package-lock.json')) as unknown as PackageLock;
const sources = ['index.ts', 'policies.ts'].map((file) => fs.readFileSync(path.join(packDir, file), 'utf8'));

/** `@scope/name` or `name` of each module specifier imported by `source`. */
function importedPackages(source: string): string[] {
  return [...source.matchAll(/\bfrom\s+'([^']+)'/g)].map((match) => {
    const specifier = match[1]!;
    return specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
  });
}

describe('policy pack: self-contained', () => {
  const dependencies = pack.dependencies ?? {};

  it('imports nothing from outside its directory, and only its own dependencies', () => {
    for (const name of sources.flatMap(importedPackages)) {
      assert.ok(!name.startsWith('..'), `reaches outside the pack: ${name}`);
      if (name.startsWith('.') || name.startsWith('node:') || builtinModules.includes(name)) continue;
      assert.ok(dependencies[name], `${name} is not a dependency of policy/package.json`);
    }
  });

  it('has the runtime the policy runner needs for TypeScript (ts-node, typescript: @pulumi/pulumi peers)', () => {
    for (const name of ['@pulumi/policy', '@pulumi/pulumi', 'ts-node', 'typescript', '@types/node']) {
      assert.ok(dependencies[name], name);
    }
  });

  it('pins exact versions, the same as the root', () => {
    const rootVersions = { ...root.dependencies, ...root.devDependencies };
    for (const [name, version] of Object.entries(dependencies)) {
      assert.match(version, /^\d+\.\d+\.\d+$/, `${name}@${version} is not exact`);
      assert.equal(version, rootVersions[name], `${name}: the pack pins ${version}, the root ${rootVersions[name]}`);
    }
  });

  it('has a lockfile that matches package.json', () => {
    assert.deepEqual(lock.packages['']?.dependencies, dependencies);
    for (const [name, version] of Object.entries(dependencies)) {
      assert.equal(lock.packages[`node_modules/${name}`]?.version, version, name);
    }
  });

  it('has a tsconfig of its own (no extends outside the pack)', () => {
    const tsconfig = readJson(path.join(packDir, 'tsconfig.json')) as { extends?: string; include?: string[] };
    assert.equal(tsconfig.extends, undefined);
    for (const pattern of tsconfig.include ?? []) assert.ok(!pattern.startsWith('..'), pattern);
  });
});
