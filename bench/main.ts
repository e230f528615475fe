// `npm run bench`: every benchmark section in turn; prints tables with ratios and targets, then writes
// docs/bench/latest.json, docs/bench/latency.svg and docs/BENCHMARKS.md. `--only a,b` runs some sections and
// writes nothing (a partial run must not overwrite the published full one).
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from '../scripts/dev/platform';
import { describeMachine } from './lib/machine';
import { renderBenchmarksMarkdown } from './lib/markdown';
import { printSection, type SectionResult } from './lib/report';
import { renderBarChart } from './lib/svg';
import { booksSection } from './sections/books';
import { gatewaySection, type GatewayNumbers } from './sections/gateway';
import { imagesSection } from './sections/images';
import { programSection } from './sections/program';

const SECTIONS: Record<string, () => Promise<SectionResult>> = {
  gateway: gatewaySection,
  books: booksSection,
  program: programSection,
  images: imagesSection,
};

function latencyChart(numbers: GatewayNumbers): string {
  const targets = ['direct', 'bare nginx', 'gateway'] as const;
  const group = (label: string, pick: (target: (typeof targets)[number]) => number) => ({
    label,
    bars: targets.map((series) => ({ series, value: pick(series) / 1000 })),
  });
  const paced = numbers.constantRate;
  return renderBarChart({
    title: 'GET /books/:id — latency by path (log scale)',
    unit: 'milliseconds',
    logarithmic: true,
    groups: [
      group('c=1 p50', (t) => numbers.closedLoop[t][1].latencyUs.p50),
      group('c=1 p99', (t) => numbers.closedLoop[t][1].latencyUs.p99),
      group('c=32 p50', (t) => numbers.closedLoop[t][32].latencyUs.p50),
      group('c=32 p99', (t) => numbers.closedLoop[t][32].latencyUs.p99),
      group(`${paced.ratePerSecond}/s p50`, (t) => paced.results[t].latencyUs.p50),
      group(`${paced.ratePerSecond}/s p99`, (t) => paced.results[t].latencyUs.p99),
    ],
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  const selected = values.only ? values.only.split(',').map((name) => name.trim()) : Object.keys(SECTIONS);
  const unknown = selected.filter((name) => !(name in SECTIONS));
  if (unknown.length > 0)
    throw new Error(`unknown section(s) ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}`);

  const machine = describeMachine();
  const startedAt = new Date().toISOString();
  console.log(
    `bench on ${machine.cpus} × ${machine.cpuModel}, ${machine.kernel}, Node ${machine.node}, nginx ${machine.nginx}`,
  );
  console.log(`1-min load average at start: ${machine.loadAverage.start.toFixed(2)}`);

  const results: Record<string, SectionResult> = {};
  const failures: string[] = [];
  for (const name of selected) {
    try {
      results[name] = await SECTIONS[name]();
      printSection(results[name]);
    } catch (error) {
      // One broken section must not hide the others' numbers; the failure is printed and published.
      failures.push(`${name}: ${(error as Error).message.split('\n')[0]}`);
      console.error(`\n== ${name}: FAILED\n${(error as Error).stack ?? String(error)}`);
    }
  }
  machine.loadAverage.end = os.loadavg()[0];
  console.log(`\n1-min load average at end: ${machine.loadAverage.end.toFixed(2)}`);

  if (values.only) {
    console.log('(--only: nothing written to docs/)');
  } else {
    const docs = join(REPO_ROOT, 'docs');
    mkdirSync(join(docs, 'bench'), { recursive: true });
    const json = {
      startedAt,
      machine,
      failures,
      sections: Object.fromEntries(
        Object.entries(results).map(([name, r]) => [
          name,
          { title: r.title, method: r.method, checks: r.checks, data: r.data },
        ]),
      ),
    };
    writeFileSync(join(docs, 'bench', 'latest.json'), `${JSON.stringify(json, null, 2)}\n`);
    if (results.gateway)
      writeFileSync(join(docs, 'bench', 'latency.svg'), latencyChart(results.gateway.data as GatewayNumbers));
    writeFileSync(
      join(docs, 'BENCHMARKS.md'),
      renderBenchmarksMarkdown(machine, startedAt, Object.values(results), failures),
    );
    console.log('wrote docs/bench/latest.json, docs/bench/latency.svg, docs/BENCHMARKS.md');
  }
  const missed = Object.values(results)
    .flatMap((r) => r.checks)
    .filter((check) => check.ok === false);
  console.log(
    `targets: ${missed.length === 0 ? 'all measured targets met' : `${missed.length} NOT met: ${missed.map((c) => c.name).join('; ')}`}`,
  );
  if (failures.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
