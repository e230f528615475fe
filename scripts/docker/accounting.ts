// The cpuacct cgroup (cgroup v1) the project's engine runs in: dockerd, its containerd and the registry mirror.
// Accounting only, no limit: `npm run bench` counts the engine's CPU time as the system under test's, not a
// neighbour's (bench/lib/machine.ts). Its containers and builds run under dockerd's own cgroup parent, `docker`.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** cgroup v1's CPU-accounting hierarchy: its own mount here, so joining a cgroup in it changes no scheduling. */
export const CPUACCT_ROOT = '/sys/fs/cgroup/cpuacct';
/** The engine's cgroup, relative to {@link CPUACCT_ROOT}. */
export const ENGINE_CGROUP = 'books-docker';
const ENGINE_CPUACCT_CGROUP = join(CPUACCT_ROOT, ENGINE_CGROUP);

/**
 * The command line that starts `command` inside {@link ENGINE_CPUACCT_CGROUP}: a shell joins it, then becomes the
 * command (same pid, nothing forked outside it). On a machine without cgroup v1's cpuacct, the command as is.
 */
export function inAccountingCgroup(
  command: string,
  args: readonly string[],
  cgroup = ENGINE_CPUACCT_CGROUP,
): [string, string[]] {
  if (!existsSync(dirname(cgroup))) return [command, [...args]];
  mkdirSync(cgroup, { recursive: true });
  return ['sh', ['-c', 'echo $$ >"$0/cgroup.procs"; exec "$@"', cgroup, command, ...args]];
}
