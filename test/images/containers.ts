// Containers of one harness run on our engine: started with the hardening every pod of the program gets
// (read-only root, no capabilities, no privilege gain, a numeric non-root user), waited for by their HEALTHCHECK,
// and removed by run label, so an aborted run's leftovers are cleaned by the next one.
import { docker } from '../../scripts/docker/engine';
import { sleep, tail } from '../../scripts/docker/process';

export const RUN_LABEL = 'books-images.run';
export const PID_LABEL = 'books-images.pid';

export interface ContainerSpec {
  name: string;
  image: string;
  user: string;
  network: string;
  aliases: readonly string[];
  env?: Readonly<Record<string, string>>;
  /** `path[:options]`, e.g. `/tmp:size=256m`. */
  tmpfs?: readonly string[];
  /** Read-only bind mounts. */
  mounts?: readonly { source: string; target: string }[];
  /** Container port published on 127.0.0.1 at a random host port. */
  publish?: number;
  platform?: string;
  labels: Readonly<Record<string, string>>;
}

export const HARDENING = ['--read-only', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges'] as const;

export async function runContainer(spec: ContainerSpec): Promise<void> {
  const args = ['run', '--detach', '--name', spec.name, '--network', spec.network, ...HARDENING, '--user', spec.user];
  for (const alias of spec.aliases) args.push('--network-alias', alias);
  for (const [key, value] of Object.entries(spec.env ?? {})) args.push('--env', `${key}=${value}`);
  for (const tmpfs of spec.tmpfs ?? []) args.push('--tmpfs', tmpfs);
  for (const mount of spec.mounts ?? [])
    args.push('--mount', `type=bind,source=${mount.source},target=${mount.target},readonly`);
  for (const [key, value] of Object.entries(spec.labels)) args.push('--label', `${key}=${value}`);
  if (spec.publish !== undefined) args.push('--publish', `127.0.0.1::${spec.publish}`);
  if (spec.platform !== undefined) args.push('--platform', spec.platform);
  args.push(spec.image);
  await docker(args, { timeoutMs: 60_000 });
}

export interface ContainerState {
  status: string;
  running: boolean;
  exitCode: number;
  /** undefined when the image has no HEALTHCHECK. */
  health: string | undefined;
  healthLog: string;
  pid: number;
}

interface InspectedState {
  Status: string;
  Running: boolean;
  ExitCode: number;
  Pid: number;
  Health?: { Status: string; Log?: { ExitCode: number; Output: string }[] };
}

export async function containerState(name: string): Promise<ContainerState> {
  const state = JSON.parse((await docker(['inspect', '--format', '{{json .State}}', name])).stdout) as InspectedState;
  const last = state.Health?.Log?.at(-1);
  return {
    status: state.Status,
    running: state.Running,
    exitCode: state.ExitCode,
    health: state.Health?.Status,
    healthLog: last ? `exit ${last.ExitCode}: ${last.Output.trim()}` : '(no health check run yet)',
    pid: state.Pid,
  };
}

/** The last `lines` lines of a container's output (stdout + stderr), cut to `chars`. */
export async function containerLogs(name: string, chars = 2500, lines = 200): Promise<string> {
  const { stdout, stderr } = await docker(['logs', '--tail', String(lines), name], { allowFailure: true });
  return tail(stdout + stderr, chars);
}

/** Wait until every container's HEALTHCHECK says healthy; fail fast on exit or "unhealthy", with logs. */
export async function waitHealthy(names: readonly string[], timeoutMs: number): Promise<number> {
  const started = Date.now();
  const pending = new Set(names);
  while (pending.size > 0) {
    for (const name of [...pending]) {
      const state = await containerState(name);
      if (state.health === undefined)
        throw new Error(`container ${name} has no HEALTHCHECK (its image must define one)`);
      if (!state.running || state.health === 'unhealthy')
        throw new Error(
          `container ${name} is ${state.running ? 'unhealthy' : `${state.status} (exit ${state.exitCode})`}; ` +
            `last health check ${state.healthLog}\n--- logs ---\n${await containerLogs(name)}`,
        );
      if (state.health === 'healthy') pending.delete(name);
    }
    if (pending.size === 0) break;
    if (Date.now() - started > timeoutMs) {
      const details = await Promise.all(
        [...pending].map(
          async (name) => `${name}: ${(await containerState(name)).healthLog}\n${await containerLogs(name, 1200)}`,
        ),
      );
      throw new Error(`not healthy within ${timeoutMs / 1000} s:\n${details.join('\n')}`);
    }
    await sleep(500);
  }
  return (Date.now() - started) / 1000;
}

/** Remove the containers and networks of `runId`, and of earlier runs whose harness process is gone. */
export async function removeRuns(runId: string | undefined): Promise<void> {
  const list = async (kind: 'container' | 'network'): Promise<{ id: string; run: string; pid: number }[]> => {
    const format = `{{.ID}} {{.Label "${RUN_LABEL}"}} {{.Label "${PID_LABEL}"}}`;
    const args = kind === 'container' ? ['ps', '--all'] : ['network', 'ls'];
    const { stdout } = await docker([...args, '--filter', `label=${RUN_LABEL}`, '--format', format]);
    return stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [id = '', run = '', pid = '0'] = line.split(' ');
        return { id, run, pid: Number(pid) };
      });
  };
  const doomed = (entry: { run: string; pid: number }): boolean => entry.run === runId || !processAlive(entry.pid);
  const containers = (await list('container')).filter(doomed).map((c) => c.id);
  if (containers.length > 0) await docker(['rm', '--force', '--volumes', ...containers], { timeoutMs: 120_000 });
  const networks = (await list('network')).filter(doomed).map((n) => n.id);
  if (networks.length > 0) await docker(['network', 'rm', ...networks], { timeoutMs: 60_000 });
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
