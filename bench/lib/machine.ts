// What the numbers were measured on: they vary by machine (and, on a shared one, by the neighbours' load).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { CPUACCT_ROOT, ENGINE_CGROUP } from '../../scripts/docker/accounting';

export interface Machine {
  cpus: number;
  cpuModel: string;
  kernel: string;
  os: string;
  node: string;
  nginx: string;
  wrk: string;
  memoryGiB: number;
  /** 1-minute load average when the bench started and ended: the machine is shared. */
  loadAverage: { start: number; end?: number };
  /** Where the CPU time went during the run (filled in at the end). */
  cpu?: CpuShares;
  /** The guest halt-polling window at start and end (null: no haltpoll driver, e.g. bare metal). */
  guestHaltPollNs: { start: number | null; end?: number | null };
}

/**
 * KVM guests' haltpoll cpuidle driver: how long an idle vCPU polls before halting. Waking a halted vCPU costs a VM
 * exit and a host wake-up, tens of µs on every hand-off between processes at c=1, so this one setting moves the
 * closed-loop latencies more than anything the proxies do. Kernel default 200 µs; 0 turns polling off.
 */
const GUEST_HALT_POLL_FILE = '/sys/module/haltpoll/parameters/guest_halt_poll_ns';

export function readGuestHaltPollNs(file = GUEST_HALT_POLL_FILE): number | null {
  return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : null;
}

/** `--polling`: a window in ns, or the kernel's default. */
export function parsePollingOption(value: string): number {
  if (value === 'default') return 200_000;
  if (!/^\d{1,9}$/.test(value)) {
    throw new Error(`--polling takes a window in nanoseconds (0 = off) or "default" (200000), not "${value}"`);
  }
  return Number(value);
}

/**
 * Runs `body` with the polling window set to `ns`, and puts the previous value back afterwards — also when the body
 * throws or the run is interrupted (SIGINT/SIGTERM): the setting is machine-wide and outlives the bench.
 */
export async function withGuestHaltPollNs<T>(
  ns: number,
  body: () => Promise<T>,
  file = GUEST_HALT_POLL_FILE,
): Promise<T> {
  const previous = readGuestHaltPollNs(file);
  if (previous === null) throw new Error(`--polling: ${file} does not exist (no haltpoll cpuidle driver here)`);
  try {
    writeFileSync(file, String(ns));
  } catch (error) {
    throw new Error(`--polling: cannot write ${file} (${(error as Error).message}); it needs root`);
  }
  const restore = (): void => writeFileSync(file, String(previous));
  const onSignal = (signal: NodeJS.Signals): void => {
    restore();
    process.kill(process.pid, signal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await body();
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    restore();
  }
}

export function describeGuestHaltPoll(ns: number | null | undefined): string {
  if (ns === undefined) return '?';
  if (ns === null) return 'no haltpoll driver';
  return ns === 0 ? 'off (0)' : `${ns / 1000} µs`;
}

/** The setting a section ran under: one value, or "before → after" when something changed it meanwhile. */
export function describePollingDuring(before: number | null, after: number | null): string {
  return before === after
    ? describeGuestHaltPoll(before)
    : `${describeGuestHaltPoll(before)} → ${describeGuestHaltPoll(after)}`;
}

/** Shares of the machine's CPU capacity (CPUs × wall time) during the run. */
export interface CpuShares {
  /**
   * Used by the bench, every process it started (they are all reaped, so their time is in ours) and the system under
   * test that runs outside its process tree: the cluster and the Docker engine ({@link SYSTEM_UNDER_TEST_CGROUPS}).
   */
  bench: number;
  /** Used by everything else on the machine: the neighbours. */
  others: number;
  /** Time the hypervisor ran something else while a vCPU wanted to run. */
  steal: number;
}

/** Cumulative CPU counters, in clock ticks. */
export interface CpuCounters {
  wallMs: number;
  busy: number;
  steal: number;
  self: number;
  /** The system under test outside the bench's process tree, since the meter started ({@link CgroupCpuMeter}). */
  systemUnderTest: number;
}

/** USER_HZ: the unit of /proc's CPU times on Linux. */
const TICKS_PER_SECOND = 100;

/**
 * cpuacct cgroups (cgroup v1) that hold the system under test but not the bench's process tree: their processes are
 * daemons (re-parented to init, never reaped by the bench) or containers, so their CPU time never reaches the
 * bench's own counters and would otherwise be counted as the neighbours'.
 */
export const SYSTEM_UNDER_TEST_CGROUPS: readonly string[] = [
  // The local cluster: its daemons (books-node/daemons, scripts/cluster/node.sh) and its pods (the kubelet's root).
  'books-node',
  // The project's Docker engine: dockerd, its containerd and its registry mirror (scripts/docker/accounting.ts).
  ENGINE_CGROUP,
  // That engine's containers and BuildKit's build steps: dockerd's default cgroup parent (no other dockerd runs here).
  'docker',
];

/** A cgroup's cumulative CPU time in nanoseconds, or undefined while it does not exist. */
function readCpuacctUsageNs(root: string, cgroup: string): number | undefined {
  try {
    return Number(readFileSync(`${root}/${cgroup}/cpuacct.usage`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * The CPU time used in a cgroup between two readings. A cgroup can vanish and come back within a run (the cluster
 * section starts and stops the cluster, which removes its cgroups): a reading below the last one, or after a gap,
 * is a new cgroup, whose whole usage is new.
 */
export function usageSince(last: number | undefined, now: number | undefined): number {
  if (now === undefined) return 0;
  return last === undefined || now < last ? now : now - last;
}

/**
 * Adds up the CPU time of {@link SYSTEM_UNDER_TEST_CGROUPS} across the run, read every second: a cgroup removed
 * between two readings loses at most its last second (what its processes used just before they stopped).
 */
export class CgroupCpuMeter {
  private readonly last = new Map<string, number | undefined>();
  private totalNs = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly root = CPUACCT_ROOT,
    private readonly cgroups = SYSTEM_UNDER_TEST_CGROUPS,
    intervalMs = 1000,
  ) {
    for (const cgroup of cgroups) this.last.set(cgroup, readCpuacctUsageNs(root, cgroup));
    this.timer = setInterval(() => this.read(), intervalMs).unref();
  }

  /** Reads every cgroup now; returns the CPU time used since the meter started, in clock ticks. */
  read(): number {
    for (const cgroup of this.cgroups) {
      const now = readCpuacctUsageNs(this.root, cgroup);
      this.totalNs += usageSince(this.last.get(cgroup), now);
      this.last.set(cgroup, now);
    }
    return (this.totalNs / 1e9) * TICKS_PER_SECOND;
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

export function readCpuCounters(meter: CgroupCpuMeter): CpuCounters {
  // /proc/stat "cpu" line: user nice system idle iowait irq softirq steal guest guest_nice (guest is inside user).
  const [user, nice, system, , , irq, softirq, steal] = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  // /proc/self/stat after the command name: utime stime cutime cstime are fields 14–17 (cutime: reaped children).
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  const self = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
  return {
    wallMs: performance.now(),
    busy: user + nice + system + irq + softirq,
    steal,
    self,
    systemUnderTest: meter.read(),
  };
}

export function cpuShares(start: CpuCounters, end: CpuCounters, cpus: number): CpuShares {
  const capacity = ((end.wallMs - start.wallMs) / 1000) * TICKS_PER_SECOND * cpus;
  const bench = end.self - start.self + (end.systemUnderTest - start.systemUnderTest);
  const busy = end.busy - start.busy;
  return {
    bench: bench / capacity,
    others: Math.max(0, busy - bench) / capacity,
    steal: (end.steal - start.steal) / capacity,
  };
}

function firstLine(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n')[0].trim() || 'not found';
}

function osName(): string {
  const release = spawnSync('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"'], { encoding: 'utf8' });
  return release.stdout.trim() || os.type();
}

export function describeMachine(): Machine {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    kernel: os.release(),
    os: osName(),
    node: process.version,
    nginx: firstLine('nginx', ['-v']).replace(/^nginx version: /, ''),
    wrk: firstLine('wrk', ['--version']).replace(/ Copyright.*$/, ''),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: { start: os.loadavg()[0] },
    guestHaltPollNs: { start: readGuestHaltPollNs() },
  };
}
