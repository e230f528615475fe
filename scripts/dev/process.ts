import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** What to run and how to tell it is ready. */
export interface ProcessSpec {
  /** Short name used in messages, e.g. `books-1`. */
  name: string;
  command: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** stdout and stderr are appended here (the child writes to the file itself, so it never blocks on us). */
  logFile: string;
  /** Run as this user (PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
  /** Resolves true once the process serves; polled until readyTimeoutMs. */
  isReady: (logOffset: number) => Promise<boolean>;
  readyTimeoutMs?: number;
  /** Grace period between SIGTERM and SIGKILL in stop(). */
  stopTimeoutMs?: number;
}

const POLL_MS = 100;

/** Told when a started process ends without stop() having been asked (a crash, an external kill, a drill). */
export type UnexpectedExitListener = (name: string, how: string, logFile: string) => void;
const unexpectedExitListeners = new Set<UnexpectedExitListener>();

/** Subscribes to unexpected exits of every managed process in this Node process; returns the unsubscribe. */
export function onUnexpectedExit(listener: UnexpectedExitListener): () => void {
  unexpectedExitListeners.add(listener);
  return () => unexpectedExitListeners.delete(listener);
}

/**
 * One long-running child in its own process group (`detached`), so that a signal reaches every process it forked
 * (nginx workers, PostgreSQL backends) and the terminal's Ctrl-C reaches only the orchestrator, which then stops
 * the children in order.
 */
export class ManagedProcess {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(readonly spec: ProcessSpec) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  get logFile(): string {
    return this.spec.logFile;
  }

  /** Starts the process and waits until it is ready; on failure the process group is killed and the log tail shown. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`${this.spec.name} is already running (pid ${this.pid})`);
    mkdirSync(dirname(this.spec.logFile), { recursive: true });
    const logOffset = fileSize(this.spec.logFile);
    const log = openSync(this.spec.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(this.spec.command, this.spec.args, {
        cwd: this.spec.cwd,
        env: this.spec.env,
        detached: true,
        stdio: ['ignore', log, log],
        uid: this.spec.uid,
        gid: this.spec.gid,
      });
    } finally {
      closeSync(log);
    }
    this.child = child;
    const pgid = child.pid;
    if (pgid !== undefined) watchdog.add(pgid);
    this.stopping = false;
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        if (pgid !== undefined && !groupAlive(pgid)) watchdog.remove(pgid);
        if (!this.stopping) {
          for (const listener of unexpectedExitListeners)
            listener(this.spec.name, describeExit(child), this.spec.logFile);
        }
        resolve();
      }),
    );
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    const deadline = Date.now() + (this.spec.readyTimeoutMs ?? 60_000);
    for (;;) {
      const failure = await Promise.race([spawnError, sleep(POLL_MS).then(() => undefined)]);
      if (failure) throw new Error(`${this.spec.name}: cannot start ${this.spec.command}: ${failure.message}`);
      if (!this.running) {
        throw new Error(`${this.spec.name} exited during startup (${describeExit(child)})\n${this.logTail(logOffset)}`);
      }
      if (await this.spec.isReady(logOffset).catch(() => false)) return;
      if (Date.now() > deadline) {
        await this.stop();
        throw new Error(
          `${this.spec.name} was not ready within ${this.spec.readyTimeoutMs ?? 60_000} ms\n${this.logTail(logOffset)}`,
        );
      }
    }
  }

  /** Sends a signal to the whole process group; a no-op when it is not running. */
  signal(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined || !groupAlive(pid)) return;
    try {
      process.kill(-pid, signal);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }

  /** Sends a signal to the process itself only (e.g. SIGHUP to a supervisor that forwards it); no-op when stopped. */
  signalLeader(signal: NodeJS.Signals): void {
    if (this.running && this.child?.pid !== undefined) process.kill(this.child.pid, signal);
  }

  /** Waits until the group leader and every process left in its group are gone; false on timeout. */
  async waitForExit(timeoutMs: number): Promise<boolean> {
    const pid = this.child?.pid;
    if (pid === undefined) return true;
    const deadline = Date.now() + timeoutMs;
    const leaderGone = await Promise.race([this.exited.then(() => true), sleep(timeoutMs).then(() => false)]);
    if (!leaderGone) return false;
    while (groupAlive(pid)) {
      if (Date.now() > deadline) return false;
      await sleep(50);
    }
    watchdog.remove(pid);
    return true;
  }

  /** `signal` (SIGTERM), then SIGKILL after the grace period: returns once no process of the group is left. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child?.pid === undefined) return;
    this.stopping = true;
    this.signal(signal);
    if (await this.waitForExit(this.spec.stopTimeoutMs ?? 10_000)) return;
    this.signal('SIGKILL');
    if (!(await this.waitForExit(5_000)))
      throw new Error(`${this.spec.name}: process group ${this.pid} survived SIGKILL`);
  }

  private logTail(fromOffset: number): string {
    const text = readFileSync(this.spec.logFile, 'utf8').slice(fromOffset);
    const lines = text.trimEnd().split('\n').slice(-30);
    return `--- last lines of ${this.spec.logFile} ---\n${lines.join('\n')}`;
  }
}

/**
 * True while a live (non-zombie) process is in the group. kill(-pgid, 0) alone is not enough: a member orphaned
 * when its parent was SIGKILLed is re-parented to PID 1, which on some machines (this VM's init) never reaps it.
 */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    // After the command name: state, ppid, pgrp, …
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') return true;
  }
  return false;
}

/**
 * The last line of defence against leftovers: a detached bash (not sh: dash's kill takes no `--` before a group id)
 * that polls this Node process and, once it is gone without having stopped its children (SIGKILL, a crash, a CI
 * timeout), sends SIGTERM to every process group still listed in the groups file, SIGKILL to any still alive 5 s
 * later, and deletes the listed throw-away directories. Started on first use; one per Node process.
 */
class OrphanWatchdog {
  private readonly groups = new Set<number>();
  private readonly dirs = new Set<string>();
  private readonly file = join(tmpdir(), `books-platform-groups-${process.pid}`);
  private started = false;

  add(pgid: number): void {
    this.groups.add(pgid);
    this.save();
  }

  remove(pgid: number): void {
    if (this.groups.delete(pgid)) this.save();
  }

  addDir(dir: string): void {
    this.dirs.add(dir);
    this.save();
  }

  removeDir(dir: string): void {
    if (this.dirs.delete(dir)) this.save();
  }

  private save(): void {
    writeFileSync(this.file, [...this.groups].map((pgid) => `${pgid}\n`).join(''));
    writeFileSync(`${this.file}.dirs`, [...this.dirs].map((dir) => `${dir}\n`).join(''));
    if (!this.started) this.start();
  }

  private start(): void {
    this.started = true;
    const script = [
      'while kill -0 "$1" 2>/dev/null; do sleep 1; done',
      'groups=$(cat "$2" 2>/dev/null); mapfile -t dirs <"$2.dirs"; rm -f "$2" "$2.dirs"',
      'if [ -n "$groups" ]; then',
      '  for g in $groups; do kill -TERM -- "-$g" 2>/dev/null; done',
      '  for _ in $(seq 50); do',
      '    alive=; for g in $groups; do kill -0 -- "-$g" 2>/dev/null && alive=1; done',
      '    [ -n "$alive" ] || break; sleep 0.1',
      '  done',
      '  for g in $groups; do kill -KILL -- "-$g" 2>/dev/null; done',
      'fi',
      'for d in "${dirs[@]}"; do rm -rf -- "$d"; done',
    ].join('\n');
    spawn('bash', ['-c', script, 'books-platform-watchdog', String(process.pid), this.file], {
      detached: true,
      stdio: 'ignore',
    }).unref();
  }
}

const watchdog = new OrphanWatchdog();

/** A throw-away directory the watchdog deletes should this Node process die without cleaning up; returns the undo. */
export function removeIfOrphaned(dir: string): () => void {
  watchdog.addDir(dir);
  return () => watchdog.removeDir(dir);
}

function describeExit(child: ChildProcess): string {
  return child.signalCode ? `signal ${child.signalCode}` : `exit code ${child.exitCode}`;
}

export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** True when GET url answers 2xx within a second. */
export async function httpOk(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
  await response.arrayBuffer();
  return response.ok;
}
