/** docs/configuration.md stays in step with the schema and the per-target table; the README's claims hold. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configKeyPaths, docFile, documentedTable, normalizeTable, targetDefaultsTable } from '../../stacks/config-doc';

describe('docs/configuration.md', () => {
  const document = fs.readFileSync(docFile, 'utf8');

  it('carries the per-target table generated from stacks/targets.ts', () => {
    const documented = documentedTable(document);
    assert.ok(documented, 'the generated block is missing');
    assert.equal(
      normalizeTable(documented),
      normalizeTable(targetDefaultsTable()),
      'stale: run `npx ts-node stacks/config-doc.ts`',
    );
  });

  it('documents every key of the schema', () => {
    const documentedKeys = new Set([...document.matchAll(/^\| `([^`]+)` +\|/gm)].map((match) => match[1]));
    const undocumented = configKeyPaths().filter(
      (key) =>
        !documentedKeys.has(key) && !documentedKeys.has(key.replace(/^resources\.\w+\./, 'resources.<workload>.')),
    );
    assert.deepEqual(undocumented, []);
  });
});

describe('README.md', () => {
  const root = path.join(__dirname, '..', '..');
  const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

  /** The text of the `## title` section, up to the next `## ` heading. */
  function section(title: string): string {
    const start = readme.indexOf(`\n## ${title}\n`);
    assert.ok(start >= 0, `no section "${title}"`);
    const end = readme.indexOf('\n## ', start + 1);
    return readme.slice(start, end < 0 ? undefined : end);
  }

  it('says how to install the Pulumi CLI before the first pulumi command, and offers npm run dev without a cluster', () => {
    const deploy = section('Deploy to a cluster');
    const firstCommand = deploy.search(/^pulumi /m);
    assert.ok(firstCommand >= 0, 'the section runs no pulumi command');
    const before = deploy.slice(0, firstCommand);
    assert.match(before, /Install Pulumi/, 'names the official "Install Pulumi" page');
    assert.match(before, /pulumi version/, 'says how to check the installation');
    assert.match(before, /`npm run dev`/, 'points at npm run dev for those without a cluster');
  });

  it('names only npm scripts that exist', () => {
    const scripts = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: object })
      .scripts;
    const named = [...readme.matchAll(/npm run (?:-s )?([\w:-]+)/g)].map((match) => match[1] as string);
    assert.ok(named.length > 0);
    assert.deepEqual(
      [...new Set(named)].filter((name) => !(name in scripts)),
      [],
    );
  });

  it('links only to files that exist', () => {
    const targets = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((match) => match[1] as string)
      .filter((target) => !/^[a-z]+:/i.test(target));
    assert.ok(targets.length > 0);
    assert.deepEqual(
      targets.filter((target) => !fs.existsSync(path.join(root, target))),
      [],
    );
  });
});
