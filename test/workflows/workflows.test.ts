/**
 * The workflows' supply chain and cloud logins, read from the files themselves (actionlint checks their syntax, not
 * these rules): every action pinned to a full commit SHA with its release in a comment; every cloud stack's deploy
 * logs in to its cloud and registry with the cloud's own action over OIDC; previews get reader identities only.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  actionOf,
  deployRolloutCheck,
  workflow,
  workflowsDir,
  workflowText,
  type Job,
  type Step,
} from './workflow-file';

/** `uses:` lines that are not `owner/repo[/path]@<40 hex> # v<release>`. */
export function unpinnedUses(text: string): string[] {
  return text
    .split('\n')
    .filter((line) => /^\s*(-\s+)?uses:/.test(line))
    .filter((line) => !/uses:\s*[\w.-]+\/[\w./-]+@[0-9a-f]{40}\s+#\s*v\d+(\.\d+){0,2}\s*$/.test(line))
    .map((line) => line.trim());
}

/** Each cloud stack: the official login action(s) and the registry login its deploy needs. */
const cloudLogins = {
  aks: { actions: ['azure/login'], registryLogin: /az acr login/ },
  eks: { actions: ['aws-actions/configure-aws-credentials', 'aws-actions/amazon-ecr-login'], registryLogin: null },
  gke: {
    actions: ['google-github-actions/auth', 'google-github-actions/setup-gcloud'],
    registryLogin: /gcloud auth configure-docker/,
  },
} as const;

function stepsFor(job: Job, stack: string): Step[] {
  return job.steps.filter((step) => step.if === `matrix.stack == '${stack}'`);
}

/** What a job does with long-lived keys: inputs or env names that carry them. */
const longLivedKey = /aws-access-key-id|aws-secret-access-key|credentials_json|creds:|client-secret|KUBECONFIG/;

describe('GitHub workflows', () => {
  const names = fs.readdirSync(workflowsDir).filter((name) => name.endsWith('.yml'));

  it('finds the workflows', () => assert.deepEqual(names.sort(), ['deploy.yml', 'pull-request.yml']));

  for (const name of names) {
    it(`${name}: every action is pinned to a commit SHA with its release in a comment`, () => {
      assert.deepEqual(unpinnedUses(workflowText(name)), []);
    });

    it(`${name}: no long-lived cloud keys or kubeconfig secrets`, () => {
      assert.doesNotMatch(workflowText(name), longLivedKey);
    });

    it(`${name}: id-token only where a job logs in to a cloud, not workflow-wide`, () => {
      assert.equal(workflow(name).permissions?.['id-token'], undefined);
    });
  }

  it('the pin check refuses tags, short SHAs and a missing release comment', () => {
    const text = [
      '      - uses: actions/checkout@v4',
      '      - uses: actions/checkout@11bd719 # v4.2.2',
      '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683',
      '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2',
    ].join('\n');
    assert.equal(unpinnedUses(text).length, 3);
  });

  describe('deploy.yml', () => {
    const up = workflow('deploy.yml').jobs.up!;

    for (const [stack, login] of Object.entries(cloudLogins)) {
      it(`${stack}: logs in to the cloud over OIDC and to the registry before pulumi up`, () => {
        const steps = stepsFor(up, stack);
        const pulumiIndex = up.steps.findIndex((step) => actionOf(step) === 'pulumi/actions');
        for (const action of login.actions) {
          const index = up.steps.findIndex((step) => step.if?.includes(`'${stack}'`) && actionOf(step) === action);
          assert.ok(index >= 0 && index < pulumiIndex, `${action} before pulumi up`);
        }
        const runs = steps.map((step) => step.run ?? '').join('\n');
        assert.match(runs, /--context "\$KUBE_CONTEXT"|--alias "\$KUBE_CONTEXT"|rename-context/);
        if (login.registryLogin) assert.match(runs, login.registryLogin);
      });
    }

    it('type-checks the program before pulumi up (which compiles it transpile-only)', () => {
      const typecheckIndex = up.steps.findIndex((step) => step.run === 'npm run typecheck');
      const pulumiIndex = up.steps.findIndex((step) => actionOf(step) === 'pulumi/actions');
      assert.ok(typecheckIndex >= 0 && typecheckIndex < pulumiIndex, 'npm run typecheck before pulumi up');
    });

    it('after pulumi up, waits for every workload in the namespace the stack outputs (the cluster suite runs it)', () => {
      const pulumiIndex = up.steps.findIndex((step) => actionOf(step) === 'pulumi/actions');
      const check = deployRolloutCheck();
      const checkIndex = up.steps.findIndex((step) => step.name === check.name);
      assert.ok(checkIndex > pulumiIndex, 'the rollout check runs after pulumi up');
      const upId = up.steps[pulumiIndex]!.id;
      assert.ok(upId, 'the pulumi up step has an id, so its outputs can be read');
      const output = /^\$\{\{ steps\.([\w-]+)\.outputs\.(\w+) \}\}$/.exec(check.env?.NAMESPACE ?? '');
      assert.deepEqual(output?.slice(1), [upId, 'namespaceName']);
      const program = fs.readFileSync(path.resolve(workflowsDir, '..', '..', 'index.ts'), 'utf8');
      assert.match(program, /^export const namespaceName = /m, 'index.ts exports the namespaceName the check reads');
      assert.match(check.run, /rollout status/);
    });

    it('asks for an OIDC token in the deploy job, inside the stack’s environment', () => {
      assert.equal(up.permissions?.['id-token'], 'write');
      assert.equal(up.environment, '${{ matrix.stack }}');
    });
  });

  describe('pull-request.yml', () => {
    const { test, preview } = workflow('pull-request.yml').jobs;

    it('tests with no identity', () => assert.equal(test!.permissions?.['id-token'], undefined));

    it('previews only after the tests, whose npm test type-checks the program (pulumi preview does not)', () => {
      assert.deepEqual([preview!.needs].flat(), ['test']);
      assert.ok(test!.steps.some((step) => step.run === 'npm test'));
    });

    it('previews only same-repo branches, in preview-<stack> environments', () => {
      assert.equal(preview!.if, 'github.event.pull_request.head.repo.full_name == github.repository');
      assert.equal(preview!.environment, 'preview-${{ matrix.stack }}');
    });

    it('previews log in to each cloud but never to a registry', () => {
      for (const [stack, login] of Object.entries(cloudLogins)) {
        const actions = stepsFor(preview!, stack).map(actionOf);
        assert.ok(actions.includes(login.actions[0]), `${stack}: ${login.actions[0]}`);
      }
      const text = JSON.stringify(preview!.steps);
      assert.doesNotMatch(text, /amazon-ecr-login|az acr login|configure-docker|docker login/);
    });
  });
});
