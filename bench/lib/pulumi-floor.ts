// Pulumi's own floor beside issue #16 target 3: `pulumi up` and `pulumi preview` of a TypeScript program that
// registers nothing, run as the platform's program runs (same CLI, language host, state backend, Node and ts-node
// options, from a directory inside the same project copy). Every `pulumi up` of the platform pays at least this
// around its build and rollout, so it tells how much of the target's budget (0.2 × the hand path) any TypeScript
// Pulumi program leaves on this machine — a measured bound, not an estimate.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { Stack } from '@pulumi/pulumi/automation';
import * as yaml from 'js-yaml';
import { run } from '../../scripts/docker/process';

/** Where the floor project lives, relative to the platform project (its paths back are derived from it). */
export const FLOOR_DIR = 'bench-floor';
const FLOOR_STACK = 'floor';
const TIMEOUT_MS = 120_000;

export interface PulumiFloor {
  /** An empty program's `pulumi up --yes --skip-preview`, per round. */
  upSeconds: number[];
  /** Its `pulumi preview`, per round. */
  previewSeconds: number[];
}

interface ProjectRuntime {
  runtime: { name: string; options?: { tsconfig?: string } & Record<string, unknown> };
}

/**
 * The floor project, a directory inside the platform's: the platform project's own runtime block (its tsconfig path
 * made relative to the floor's directory), and an index.ts that loads @pulumi/pulumi, as every program does, and
 * registers nothing.
 */
export function floorProject(platformProjectYaml: string): { pulumiYaml: string; indexTs: string } {
  const { runtime } = yaml.load(platformProjectYaml) as ProjectRuntime;
  const toPlatform = posix.relative(FLOOR_DIR, '.');
  const options = runtime.options?.tsconfig
    ? { ...runtime.options, tsconfig: posix.join(toPlatform, runtime.options.tsconfig) }
    : runtime.options;
  return {
    pulumiYaml: yaml.dump({ name: 'books-bench-floor', runtime: { ...runtime, options }, main: 'index.ts' }),
    // The platform's own compile cache first, as its index.ts has it: the floor is the least a program pays.
    indexTs:
      `import '${toPlatform}/components/compile-cache';\nimport * as pulumi from '@pulumi/pulumi';\n\n` +
      'export const stack = pulumi.getStack();\n',
  };
}

export async function measurePulumiFloor(stack: Stack, rounds: number): Promise<PulumiFloor> {
  const { workspace } = stack;
  const dir = join(workspace.workDir, FLOOR_DIR);
  mkdirSync(dir, { recursive: true });
  const { pulumiYaml, indexTs } = floorProject(readFileSync(join(workspace.workDir, 'Pulumi.yaml'), 'utf8'));
  writeFileSync(join(dir, 'Pulumi.yaml'), pulumiYaml);
  writeFileSync(join(dir, 'index.ts'), indexTs);
  const options = { cwd: dir, env: { ...process.env, ...workspace.envVars }, timeoutMs: TIMEOUT_MS };
  const pulumi = async (args: string[]): Promise<number> => {
    const started = performance.now();
    await run(workspace.pulumiCommand.command, [...args, '--non-interactive', '--stack', FLOOR_STACK], options);
    return (performance.now() - started) / 1000;
  };
  await run(workspace.pulumiCommand.command, ['stack', 'init', FLOOR_STACK, '--non-interactive'], options);
  await pulumi(['up', '--yes', '--skip-preview']); // the stack resource created: later ups change nothing
  const floor: PulumiFloor = { upSeconds: [], previewSeconds: [] };
  for (let round = 0; round < rounds; round++) {
    floor.upSeconds.push(await pulumi(['up', '--yes', '--skip-preview']));
    floor.previewSeconds.push(await pulumi(['preview']));
  }
  return floor;
}
