/**
 * `npm run check:manifests`: kube-score (built from the Go module proxy by scripts/toolchain/build.sh, cached by
 * version) over the rendered manifests of every stack (scripts/render). Fails on a critical finding that
 * kube-score-ignore.yaml does not decline with a reason, and on an entry there that matches nothing any more.
 * Prints each stack's critical and warning counts.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as yaml from 'js-yaml';
import { renderStack, writeManifests } from '../render/manifests';
import { allStacks } from '../render/stacks';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const BUILD_SCRIPT = path.join(REPO_ROOT, 'scripts', 'toolchain', 'build.sh');
export const IGNORE_FILE = path.join(__dirname, 'kube-score-ignore.yaml');
/** The oldest Kubernetes the program supports (preStop sleep). */
const KUBERNETES_VERSION = 'v1.30';

const GRADE_CRITICAL = 1;
const GRADE_WARNING = 5;

export interface Finding {
  stack: string;
  /** <Kind>/<metadata.name> */
  object: string;
  check: string;
  grade: number;
  summaries: string[];
}

export interface IgnoreEntry {
  check: string;
  objects: string[];
  reason: string;
}

interface KubeScoreObject {
  type_meta: { kind: string };
  object_meta: { name: string };
  checks: { check: { id: string }; grade: number; skipped: boolean; comments: { summary: string }[] | null }[];
}

/** kube-score's JSON report (output version v2) → the findings below "all OK". */
export function parseReport(stack: string, report: KubeScoreObject[]): Finding[] {
  return report.flatMap((object) =>
    object.checks
      .filter((result) => !result.skipped && result.grade <= GRADE_WARNING)
      .map((result) => ({
        stack,
        object: `${object.type_meta.kind}/${object.object_meta.name}`,
        check: result.check.id,
        grade: result.grade,
        summaries: (result.comments ?? []).map((comment) => comment.summary),
      })),
  );
}

export function loadIgnoreList(text: string): IgnoreEntry[] {
  const entries = yaml.load(text) as IgnoreEntry[];
  for (const entry of entries) {
    if (!entry.check || !Array.isArray(entry.objects) || entry.objects.length === 0 || !entry.reason?.trim()) {
      throw new Error(`${IGNORE_FILE}: every entry needs check, objects and a reason: ${JSON.stringify(entry)}`);
    }
  }
  return entries;
}

export interface Verdict {
  /** Critical findings no entry declines. */
  failures: Finding[];
  /** `check object` pairs of the ignore list that no finding of any stack matched. */
  stale: string[];
}

export function judge(findings: Finding[], ignore: IgnoreEntry[]): Verdict {
  const declined = (finding: Finding): boolean =>
    ignore.some((entry) => entry.check === finding.check && entry.objects.includes(finding.object));
  const stale = ignore.flatMap((entry) =>
    entry.objects
      .filter((object) => !findings.some((finding) => finding.check === entry.check && finding.object === object))
      .map((object) => `${entry.check} ${object}`),
  );
  return { failures: findings.filter((finding) => finding.grade <= GRADE_CRITICAL && !declined(finding)), stale };
}

function kubeScoreBinary(): string {
  // Builds it on first use (about a minute from the Go module proxy); afterwards says "cached".
  execFileSync('bash', [BUILD_SCRIPT, 'kube-score'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const env = execFileSync('bash', [BUILD_SCRIPT, '--print-env'], { encoding: 'utf8' });
  const dir = /^KUBE_SCORE_BIN=(.*)$/m.exec(env)?.[1];
  if (!dir) throw new Error(`${BUILD_SCRIPT} --print-env names no KUBE_SCORE_BIN`);
  return path.join(dir, 'kube-score');
}

function score(binary: string, files: string[]): KubeScoreObject[] {
  const result = spawnSync(
    binary,
    ['score', '--output-format', 'json', '--kubernetes-version', KUBERNETES_VERSION, ...files],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  // Exit 1 only says there are critical findings; anything else, or no JSON, is kube-score failing.
  if (result.error || (result.status !== 0 && result.status !== 1)) {
    throw new Error(`kube-score failed (${result.error?.message ?? `exit ${result.status}`}): ${result.stderr}`);
  }
  return JSON.parse(result.stdout) as KubeScoreObject[];
}

async function main(): Promise<number> {
  const binary = kubeScoreBinary();
  const ignore = loadIgnoreList(fs.readFileSync(IGNORE_FILE, 'utf8'));
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'books-manifests-'));
  const findings: Finding[] = [];
  try {
    for (const stack of allStacks()) {
      const files = writeManifests(path.join(out, stack), await renderStack(stack));
      const stackFindings = parseReport(stack, score(binary, files));
      findings.push(...stackFindings);
      const count = (grade: number): number =>
        stackFindings.filter((f) => f.grade === grade).reduce((sum, f) => sum + Math.max(1, f.summaries.length), 0);
      const undeclined = judge(stackFindings, ignore).failures.length;
      console.log(
        `${stack}: ${count(GRADE_CRITICAL)} critical (${undeclined} not declined), ${count(GRADE_WARNING)} warning(s)`,
      );
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
  const warnings = new Map<string, string[]>();
  for (const f of findings.filter((finding) => finding.grade === GRADE_WARNING)) {
    const key = `${f.object} ${f.check}: ${f.summaries.join('; ')}`;
    warnings.set(key, [...(warnings.get(key) ?? []), f.stack]);
  }
  for (const [warning, stacks] of warnings) console.log(`  warning ${warning} (${stacks.join(', ')})`);
  const { failures, stale } = judge(findings, ignore);
  for (const failure of failures) {
    console.error(`CRITICAL ${failure.stack} ${failure.object} ${failure.check}: ${failure.summaries.join('; ')}`);
  }
  for (const entry of stale) console.error(`stale entry in ${path.relative(REPO_ROOT, IGNORE_FILE)}: ${entry}`);
  if (failures.length > 0 || stale.length > 0) {
    console.error(
      `check:manifests: ${failures.length} critical finding(s) not declined, ${stale.length} stale ignore entr(ies)`,
    );
    return 1;
  }
  console.log(`check:manifests: no critical finding left undeclined (${path.relative(REPO_ROOT, IGNORE_FILE)})`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => process.exit(code),
    (error: Error) => {
      console.error(error.message);
      process.exit(1);
    },
  );
}
