/** What the workflows run the program against, checked against the stack files and the per-target table. */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { targetDefaults, type TargetName } from '../../stacks/targets';
import { repoRoot } from './harness';

interface Workflow {
  jobs: Record<string, { strategy?: { matrix?: { stack?: string[] } } }>;
}

function targetOfStack(stack: string): TargetName {
  const file = yaml.load(fs.readFileSync(path.join(repoRoot, `Pulumi.${stack}.yaml`), 'utf8')) as {
    config: Record<string, unknown>;
  };
  return file.config['books-platform:target'] as TargetName;
}

describe('the pull-request workflow (.github/workflows/pull-request.yml)', () => {
  it('previews no laptop stack: their engine and cluster exist on a laptop only, never on a runner', () => {
    const workflow = yaml.load(
      fs.readFileSync(path.join(repoRoot, '.github', 'workflows', 'pull-request.yml'), 'utf8'),
    ) as Workflow;
    const stacks = Object.values(workflow.jobs).flatMap((job) => job.strategy?.matrix?.stack ?? []);
    assert.ok(stacks.length > 0, 'a stack matrix');
    for (const stack of stacks) {
      assert.ok(targetDefaults[targetOfStack(stack)].pushImages, `${stack} builds into a local engine`);
    }
  });
});
