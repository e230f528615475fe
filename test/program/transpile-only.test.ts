/**
 * Pulumi compiles the program transpile-only, and the type check happens once, in `npm run typecheck`.
 * Read the way the tools read it: Pulumi.yaml's runtime option as the language host passes it on, @pulumi/pulumi's
 * own loader for the `noCheck` switch (it reads only the named file, not its `extends`), TypeScript's own parser for
 * what each tsconfig compiles.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import * as yaml from 'js-yaml';
import ts from 'typescript';

const root = resolve(__dirname, '..', '..');

interface ProjectFile {
  runtime: { name: string; options?: { typescript?: boolean; tsconfig?: string } };
}

/** The loader @pulumi/pulumi's cmd/run uses to decide transpile-only: internal (its .d.ts exports nothing). */
const pulumiTsutils = createRequire(__filename)('@pulumi/pulumi/tsutils') as {
  loadTypeScriptCompilerOptions(tsConfigPath: string): Record<string, unknown>;
};

function compiled(tsconfig: string): ts.ParsedCommandLine {
  const file = join(root, tsconfig);
  const read = ts.readConfigFile(file, (name) => ts.sys.readFile(name));
  assert.equal(read.error, undefined, `${tsconfig} parses`);
  return ts.parseJsonConfigFileContent(read.config, ts.sys, root, undefined, file);
}

describe('the program under Pulumi: transpile-only, type-checked by npm run typecheck', () => {
  const project = yaml.load(readFileSync(join(root, 'Pulumi.yaml'), 'utf8')) as ProjectFile;
  const pulumiTsconfig = project.runtime.options?.tsconfig;

  it('Pulumi.yaml runs the TypeScript program with its own tsconfig', () => {
    assert.equal(project.runtime.name, 'nodejs');
    assert.equal(project.runtime.options?.typescript, true);
    assert.equal(pulumiTsconfig, 'tsconfig.pulumi.json');
  });

  it('@pulumi/pulumi reads noCheck from that tsconfig, and not from the one npm run typecheck uses', () => {
    assert.equal(pulumiTsutils.loadTypeScriptCompilerOptions(join(root, String(pulumiTsconfig))).noCheck, true);
    assert.notEqual(pulumiTsutils.loadTypeScriptCompilerOptions(join(root, 'tsconfig.json')).noCheck, true);
  });

  it('both compile the same files with the same options, but for the type check', () => {
    const underPulumi = compiled(String(pulumiTsconfig));
    const typecheck = compiled('tsconfig.json');
    assert.deepEqual(underPulumi.errors, []);
    const { noCheck, configFilePath: _pulumiFile, ...pulumiOptions } = underPulumi.options;
    const { configFilePath: _typecheckFile, ...typecheckOptions } = typecheck.options;
    assert.equal(noCheck, true);
    assert.equal(typecheck.options.noCheck, undefined);
    assert.deepEqual(pulumiOptions, typecheckOptions);
    assert.deepEqual(underPulumi.fileNames, typecheck.fileNames);
    assert.ok(typecheck.fileNames.includes(join(root, 'index.ts').split('\\').join('/')));
  });

  it('npm run deploy:local links every tsconfig Pulumi reads into its project directory', () => {
    const script = readFileSync(join(root, 'scripts', 'cluster', 'deploy-local.sh'), 'utf8');
    const linked = /^for entry in (.+); do$/m.exec(script)?.[1]?.split(' ') ?? [];
    const chain: string[] = [];
    for (let file: string | undefined = pulumiTsconfig; file;) {
      chain.push(file);
      const extended = (
        ts.readConfigFile(join(root, file), (name) => ts.sys.readFile(name)).config as { extends?: string }
      ).extends;
      file = extended?.replace(/^\.\//, '');
    }
    assert.deepEqual(chain, ['tsconfig.pulumi.json', 'tsconfig.json', 'tsconfig.base.json']);
    for (const file of ['Pulumi.yaml', ...chain]) assert.ok(linked.includes(file), `${file} is linked`);
  });

  it('npm test type-checks the program with tsconfig.json', () => {
    const scripts = (
      JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts;
    assert.match(String(scripts.typecheck), /^tsc --noEmit -p tsconfig\.json\b/);
    assert.match(String(scripts.test), /^npm run typecheck && /);
  });
});
