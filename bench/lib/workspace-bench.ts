// Runs another part's own benchmark through its npm script and reads the JSON report it writes: the numbers come
// from that part's code, unchanged (reuse, not a copy).
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../../scripts/dev/platform';

export interface WorkspaceBenchRun<T> {
  report: T;
  /** What the benchmark printed, passed through to our output. */
  stdout: string;
  seconds: number;
}

/**
 * `npm run -s bench -w <workspace> -- <args> <reportFlag> <file>`; rejects when it fails or writes no report.
 * `reportFlag` is the option that benchmark takes for its JSON file (`--json`, `--out`).
 */
export async function runWorkspaceBench<T>(
  workspace: string,
  args: readonly string[],
  reportFlag: string,
): Promise<WorkspaceBenchRun<T>> {
  const dir = mkdtempSync(join(tmpdir(), 'books-bench-ws-'));
  const reportFile = join(dir, 'report.json');
  const started = performance.now();
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        'npm',
        ['run', '-s', 'bench', '-w', workspace, '--', ...args, reportFlag, reportFile],
        { cwd: REPO_ROOT, maxBuffer: 64 << 20, timeout: 30 * 60_000 },
        (error, out, err) =>
          error ? reject(new Error(`${workspace} bench failed: ${error.message}\n${err}${out}`)) : resolve(out),
      );
    });
    if (!existsSync(reportFile)) throw new Error(`${workspace} bench wrote no JSON report`);
    return {
      report: JSON.parse(readFileSync(reportFile, 'utf8')) as T,
      stdout,
      seconds: (performance.now() - started) / 1000,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
