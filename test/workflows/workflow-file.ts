// The repository's GitHub workflows as data, for the checks that read them (test/workflows) and the cluster suite,
// which runs the deploy job's rollout check against a real cluster.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yaml from 'js-yaml';

export const workflowsDir = path.resolve(__dirname, '..', '..', '.github', 'workflows');

export interface Step {
  id?: string;
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
export interface Job {
  if?: string;
  needs?: string | string[];
  environment?: string;
  permissions?: Record<string, string>;
  steps: Step[];
}
export interface Workflow {
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

export function workflowText(name: string): string {
  return fs.readFileSync(path.join(workflowsDir, name), 'utf8');
}
export function workflow(name: string): Workflow {
  return yaml.load(workflowText(name)) as Workflow;
}
export function actionOf(step: Step): string | undefined {
  return step.uses?.replace(/@.*/, '');
}

/** deploy.yml's step that waits, after `pulumi up`, until every workload of the stack's namespace has rolled out. */
const ROLLOUT_CHECK_STEP = 'Every workload rolled out';

export function deployRolloutCheck(): Step & { run: string } {
  const step = workflow('deploy.yml').jobs.up?.steps.find((candidate) => candidate.name === ROLLOUT_CHECK_STEP);
  if (step?.run === undefined) throw new Error(`deploy.yml has no step "${ROLLOUT_CHECK_STEP}" with a run script`);
  return { ...step, run: step.run };
}
