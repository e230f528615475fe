// The Pulumi program under mocks: wall time of the whole suite and of each stack's suite, and — when the engine
// e2e has recorded them — its no-op preview and first up timings.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/dev/platform';
import { verdictOf, type Check, type SectionResult } from '../lib/report';

/**
 * Where the engine e2e leaves its timings after each run (test/e2e): `{ "<label>": seconds }` (an in-memory
 * `[label, seconds][]` is read too).
 */
export const E2E_TIMINGS_FILE = join(REPO_ROOT, '.cache', 'e2e', 'timings.json');
/** Written by `npm run test:cluster` (test/cluster/hooks.ts): every timing it printed, published as recorded. */
export const CLUSTER_TIMINGS_FILE = join(REPO_ROOT, '.cache', 'cluster', 'timings.json');
/** The two timings this section publishes, found by the start of test/e2e's labels. */
const E2E_WANTED = { 'no-op pulumi preview': 'no-op pulumi preview', 'first pulumi up': 'first pulumi up' } as const;

interface MochaRun {
  seconds: number;
  passes: number;
  failures: number;
}

function runMocha(specs: string[], grep?: string): Promise<MochaRun> {
  const dir = mkdtempSync(join(tmpdir(), 'books-bench-mocha-'));
  const output = join(dir, 'report.json');
  const args = [
    '--no-config',
    '--require',
    'ts-node/register/transpile-only',
    '--extension',
    'ts',
    '--timeout',
    '300000',
    '--reporter',
    'json',
    '--reporter-option',
    `output=${output}`,
    ...(grep ? ['--grep', grep] : []),
    ...specs,
  ];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      join(REPO_ROOT, 'node_modules', '.bin', 'mocha'),
      args,
      { cwd: REPO_ROOT, maxBuffer: 64 << 20 },
      (error) => {
        const seconds = (performance.now() - started) / 1000;
        try {
          if (!existsSync(output)) return reject(error ?? new Error('mocha wrote no report'));
          const stats = (JSON.parse(readFileSync(output, 'utf8')) as { stats: { passes: number; failures: number } })
            .stats;
          resolve({ seconds, passes: stats.passes, failures: stats.failures });
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      },
    );
  });
}

function stackNames(): string[] {
  return readdirSync(REPO_ROOT)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((name): name is string => name !== undefined)
    .sort();
}

function recordedTimings(file: string): Record<string, number> | undefined {
  if (!existsSync(file)) return undefined;
  const recorded = JSON.parse(readFileSync(file, 'utf8')) as Record<string, number> | [string, number][];
  return Array.isArray(recorded) ? Object.fromEntries(recorded) : recorded;
}

export async function programSection(): Promise<SectionResult> {
  const stacksSpec = 'test/program/stacks.test.ts';
  const whole = await runMocha(['test/program/**/*.test.ts']);
  // Loading ts-node, the SDKs and the harness costs the same for every run: measured once with no test selected.
  const fixed = await runMocha([stacksSpec], '^no test has this title$');
  const perStack: Record<string, MochaRun> = {};
  for (const stack of stackNames()) perStack[stack] = await runMocha([stacksSpec], `stack ${stack} \\(`);

  const e2e = recordedTimings(E2E_TIMINGS_FILE);
  const source = E2E_TIMINGS_FILE.slice(REPO_ROOT.length + 1);
  const cluster = recordedTimings(CLUSTER_TIMINGS_FILE);
  const clusterSource = CLUSTER_TIMINGS_FILE.slice(REPO_ROOT.length + 1);
  const clusterRows = cluster
    ? Object.entries(cluster).map(([label, seconds]) => [
        `real cluster: ${label}`,
        `${seconds.toFixed(1)} s`,
        clusterSource,
      ])
    : [['real cluster (npm run test:cluster)', 'not measured', `no ${clusterSource}`]];
  const e2eRows = Object.entries(E2E_WANTED).map(([prefix, name]) => {
    const found = Object.entries(e2e ?? {}).find(([label]) => label.startsWith(prefix));
    return [`engine e2e: ${name}`, found ? `${found[1].toFixed(1)} s` : 'not measured', e2e ? source : `no ${source}`];
  });
  const checks: Check[] = [
    {
      name: 'program suites pass',
      target: '0 failing',
      measured: `${whole.passes} passing, ${whole.failures} failing`,
      verdict: verdictOf(whole.failures === 0 && whole.passes > 0),
    },
  ];
  return {
    title: 'Program: the Pulumi program under mocks (and the engine e2e, when recorded)',
    method:
      'Wall time of `mocha test/program` (all suites), of the stacks suite with no test selected (ts-node + SDK load: ' +
      'the fixed cost), and of each stack\'s suite alone (`--grep "stack <name> ("`). Engine timings are read from ' +
      'the e2e and real-cluster results files (npm run test:e2e, npm run test:cluster), never estimated.',
    tables: [
      {
        columns: ['run', 'wall time', 'without fixed cost', 'tests'],
        rows: [
          [
            'mocha test/program (all)',
            `${whole.seconds.toFixed(1)} s`,
            '',
            `${whole.passes} passing, ${whole.failures} failing`,
          ],
          ['fixed cost (no test selected)', `${fixed.seconds.toFixed(1)} s`, '', ''],
          ...Object.entries(perStack).map(([stack, run]) => [
            `stack ${stack}`,
            `${run.seconds.toFixed(1)} s`,
            `${Math.max(0, run.seconds - fixed.seconds).toFixed(1)} s`,
            `${run.passes} passing, ${run.failures} failing`,
          ]),
        ],
      },
      { columns: ['measurement', 'value', 'source'], rows: [...e2eRows, ...clusterRows] },
    ],
    checks,
    data: { whole, fixed, perStack, e2e: e2e ?? null, cluster: cluster ?? null },
  };
}
