// `npm run bench`: every benchmark section in turn; prints tables with ratios and targets, then writes
// docs/bench/latest.json, docs/bench/latency.svg and docs/BENCHMARKS.md. `--only a,b` runs some sections and
// writes nothing (a partial run must not overwrite the published full one). `--polling NS|default` runs with the
// VM's idle-vCPU polling window set to NS (as published: default = 200000) and restores it afterwards.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as prettier from 'prettier';
import { REPO_ROOT } from '../scripts/dev/platform';
import {
  CgroupCpuMeter,
  cpuShares,
  describeGuestHaltPoll,
  describeMachine,
  describePollingDuring,
  parsePollingOption,
  readCpuCounters,
  readGuestHaltPollNs,
  withGuestHaltPollNs,
} from './lib/machine';
import { renderBenchmarksMarkdown, type RanSection } from './lib/markdown';
import { percent, printSection, tally, type SectionResult } from './lib/report';
import { renderBarChart } from './lib/svg';
import { booksSection } from './sections/books';
import { clusterSection } from './sections/cluster';
import { costSection } from './sections/cost';
import { constantRateSection, medianP99Run, type ConstantRateNumbers } from './sections/constant-rate';
import { gatewaySection, type GatewayNumbers, type GatewayTarget } from './sections/gateway';
import { imagesSection } from './sections/images';
import { programSection } from './sections/program';

const SECTIONS: Record<string, () => Promise<SectionResult>> = {
  gateway: gatewaySection,
  'constant-rate': constantRateSection,
  cost: costSection,
  books: booksSection,
  program: programSection,
  images: imagesSection,
  cluster: clusterSection,
};

const SERIES: Record<GatewayTarget, string> = { direct: 'direct', 'bare-proxy': 'bare nginx', gateway: 'gateway' };

/** p50/p99 per path: the closed-loop runs (books backend) and, when measured, the constant-rate runs. */
function latencyChart(closed: GatewayNumbers | undefined, paced: ConstantRateNumbers | undefined): string {
  const groups = [];
  for (const connections of [1, 32]) {
    const rows = closed?.books.rows.filter((row) => row.connections === connections) ?? [];
    for (const [label, pick] of [
      ['p50', (row: (typeof rows)[number]) => row.p50Micros],
      ['p99', (row: (typeof rows)[number]) => row.p99Micros],
    ] as const) {
      if (rows.length > 0) {
        groups.push({
          label: `c=${connections} ${label}`,
          bars: rows.map((row) => ({ series: SERIES[row.target], value: pick(row) / 1000 })),
        });
      }
    }
  }
  const pacedSetups = paced
    ? ([
        ['static', paced.proxyCost],
        ['e2e', paced.endToEnd],
      ] as const)
    : [];
  for (const [setup, comparison] of pacedSetups) {
    for (const label of ['p50', 'p99'] as const) {
      groups.push({
        label: `${setup} ${label}`,
        bars: (Object.keys(SERIES) as GatewayTarget[]).map((target) => ({
          series: SERIES[target],
          value: medianP99Run(comparison, 'wrk-timers', target).latencyUs[label] / 1000,
        })),
      });
    }
  }
  return renderBarChart({
    title: 'GET latency by path (ms, log scale)',
    unit: 'milliseconds',
    logarithmic: true,
    groups,
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' }, polling: { type: 'string' } } });
  // Checked before anything runs: a typo must not cost a 40-minute run.
  const polling = values.polling === undefined ? undefined : parsePollingOption(values.polling);
  if (polling === undefined) await run(values.only);
  else await withGuestHaltPollNs(polling, () => run(values.only));
}

async function run(only: string | undefined): Promise<void> {
  const selected = only ? only.split(',').map((name) => name.trim()) : Object.keys(SECTIONS);
  const unknown = selected.filter((name) => !(name in SECTIONS));
  if (unknown.length > 0)
    throw new Error(`unknown section(s) ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}`);

  const machine = describeMachine();
  const startedAt = new Date().toISOString();
  const systemUnderTest = new CgroupCpuMeter();
  const cpuAtStart = readCpuCounters(systemUnderTest);
  console.log(
    `bench on ${machine.cpus} × ${machine.cpuModel}, ${machine.kernel}, Node ${machine.node}, nginx ${machine.nginx}`,
  );
  console.log(`1-min load average at start: ${machine.loadAverage.start.toFixed(2)}`);
  console.log(`idle vCPU polling before halt: ${describeGuestHaltPoll(machine.guestHaltPollNs.start)}`);

  const ran: Record<string, RanSection> = {};
  const failures: string[] = [];
  for (const name of selected) {
    try {
      const pollingBefore = readGuestHaltPollNs();
      const section = await SECTIONS[name]();
      ran[name] = { section, polling: describePollingDuring(pollingBefore, readGuestHaltPollNs()) };
      printSection(section, ran[name].polling);
    } catch (error) {
      // One broken section must not hide the others' numbers; the failure is printed and published.
      failures.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
      console.error(`\n== ${name}: FAILED\n${(error as Error).stack ?? String(error)}`);
    }
  }
  machine.loadAverage.end = os.loadavg()[0];
  machine.guestHaltPollNs.end = readGuestHaltPollNs();
  machine.cpu = cpuShares(cpuAtStart, readCpuCounters(systemUnderTest), machine.cpus);
  systemUnderTest.stop();
  console.log(`\n1-min load average at end: ${machine.loadAverage.end.toFixed(2)}`);
  console.log(
    `CPU capacity used: bench (with its cluster and Docker engine) ${percent(machine.cpu.bench)}, other processes ${percent(machine.cpu.others)}, ` +
      `stolen ${percent(machine.cpu.steal)}`,
  );

  if (only) {
    console.log('(--only: nothing written to docs/)');
  } else {
    const docs = join(REPO_ROOT, 'docs');
    mkdirSync(join(docs, 'bench'), { recursive: true });
    const json = {
      startedAt,
      machine,
      failures,
      sections: Object.fromEntries(
        Object.entries(ran).map(([name, { section: r, polling }]) => [
          name,
          { title: r.title, method: r.method, polling, checks: r.checks, data: r.data },
        ]),
      ),
    };
    writeFileSync(join(docs, 'bench', 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
    if (ran.gateway || ran['constant-rate']) {
      const chart = latencyChart(
        ran.gateway?.section.data as GatewayNumbers | undefined,
        ran['constant-rate']?.section.data as ConstantRateNumbers | undefined,
      );
      writeFileSync(join(docs, 'bench', 'latency.svg'), chart);
    }
    // Formatted with the repository's Prettier settings, so the generated file passes the format check as is.
    const markdownFile = join(docs, 'BENCHMARKS.md');
    const markdown = renderBenchmarksMarkdown(machine, startedAt, Object.values(ran), failures, Object.keys(SECTIONS));
    const prettierOptions = (await prettier.resolveConfig(markdownFile)) ?? {};
    writeFileSync(markdownFile, await prettier.format(markdown, { ...prettierOptions, parser: 'markdown' }));
    console.log('wrote docs/bench/latest.json, docs/bench/latency.svg, docs/BENCHMARKS.md');
  }
  const checks = Object.values(ran).flatMap((r) => r.section.checks);
  console.log(`targets: ${tally(checks)}`);
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
