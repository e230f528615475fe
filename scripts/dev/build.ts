import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One artefact the platform runs, and how to make it. */
export interface BuildStep {
  name: string;
  /** Files or directories (relative to the repository) whose changes make the artefact stale. */
  inputs: readonly string[];
  /** Files (relative to the repository) that must exist after the build. */
  outputs: readonly string[];
  command: string;
  args: readonly string[];
  /** Relative to the repository. */
  cwd: string;
}

export type BuildMode = 'if-stale' | 'always' | 'never';

/**
 * Runs the steps that are stale: an artefact is fresh when its outputs exist and its stamp file (written after the
 * last successful build) is newer than every input. A stamp rather than the outputs' own times, because `go build`
 * and Vite leave unchanged outputs untouched.
 */
export async function buildAll(
  repo: string,
  stampDir: string,
  steps: readonly BuildStep[],
  mode: BuildMode,
  log: (line: string) => void,
): Promise<void> {
  mkdirSync(stampDir, { recursive: true });
  for (const step of steps) {
    const stamp = join(stampDir, `${step.name}.stamp`);
    const missing = step.outputs.filter((output) => newestMtime(join(repo, output)) === 0);
    if (mode === 'never') {
      if (missing.length > 0)
        throw new Error(`${step.name} is not built (missing ${missing.join(', ')}) and building is off`);
      continue;
    }
    const stale =
      mode === 'always' ||
      missing.length > 0 ||
      Math.max(...step.inputs.map((input) => newestMtime(join(repo, input)))) >= newestMtime(stamp);
    if (!stale) continue;
    const started = Date.now();
    log(`building ${step.name}: ${step.command} ${step.args.join(' ')}`);
    // Serialized across processes (two platforms starting in one checkout): a build never writes over another.
    await run('flock', [join(stampDir, 'build.lock'), step.command, ...step.args], join(repo, step.cwd), step.name);
    const stillMissing = step.outputs.filter((output) => newestMtime(join(repo, output)) === 0);
    if (stillMissing.length > 0) throw new Error(`${step.name} built but ${stillMissing.join(', ')} is missing`);
    writeFileSync(stamp, `${new Date().toISOString()}\n`);
    log(`built ${step.name} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

/** Newest modification time (ms) of a file or anything under a directory; 0 when it does not exist. */
function newestMtime(path: string): number {
  let stats;
  try {
    stats = statSync(path);
  } catch {
    return 0;
  }
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

function run(command: string, args: readonly string[], cwd: string, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (error) => reject(new Error(`${name}: cannot run ${command}: ${error.message}`)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(`${name}: \`${command} ${args.join(' ')}\` failed (${signal ?? code}):\n${output.slice(-4000)}`),
        );
    });
  });
}
