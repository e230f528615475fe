/** docs/configuration.md stays in step with the schema and the per-target table. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
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
