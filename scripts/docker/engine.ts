// The project's own Docker engine: Debian's dockerd (20.10, BuildKit inside) started by us as root with its own data
// root, exec root, pidfile, socket, bridge and containerd namespace, so it never touches or reuses anyone else's
// daemon. start() is idempotent (a healthy running engine is reused); stop() ends only the dockerd in our pidfile.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { inAccountingCgroup } from './accounting';
import { run, sleep, tail, waitFor, type RunOptions, type RunResult } from './process';
import { ensureHostPackages } from './host-packages';
import { withFileLock } from './lock';
import { ensureRegistry, stopRegistry } from './registry';

export const ENGINE = {
  dataRoot: '/var/lib/books-docker',
  runDir: '/run/books-docker',
  execRoot: '/run/books-docker/exec',
  pidFile: '/run/books-docker/dockerd.pid',
  socketPath: '/run/books-docker/docker.sock',
  configFile: '/run/books-docker/daemon.json',
  logFile: '/var/log/books-docker/dockerd.log',
  lockFile: '/run/books-docker.lock',
  /** Our own bridge for the default network, so a user's docker0 is never shared or reconfigured. */
  bridge: { name: 'books-docker0', cidr: '172.29.0.1/16' },
  containerdNamespace: 'books-moby',
  /** Debian's CLI: it builds with BuildKit without a buildx plugin (the newer CLI in /usr/local/bin refuses to). */
  cli: '/usr/bin/docker',
  dockerd: '/usr/sbin/dockerd',
} as const;

export const DOCKER_HOST = `unix://${ENGINE.socketPath}`;

/** Environment for any docker client (CLI, the Pulumi docker provider, …) aimed at this engine. */
export function engineEnv(): Record<string, string> {
  return { DOCKER_HOST, DOCKER_BUILDKIT: '1' };
}

/** Run Debian's docker CLI against our engine. */
export function docker(args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return run(ENGINE.cli, args, { ...options, env: { ...process.env, ...engineEnv(), ...options.env } });
}

function ping(): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: ENGINE.socketPath, path: '/_ping', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}

function readPid(): number | undefined {
  if (!existsSync(ENGINE.pidFile)) return undefined;
  const pid = Number.parseInt(readFileSync(ENGINE.pidFile, 'utf8').trim(), 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Is `pid` our dockerd? (Checked by its command line, so a recycled pid of another process is never ours.) */
function alive(pid: number): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.includes(`--pidfile=${ENGINE.pidFile}`);
  } catch {
    return false;
  }
}

/** Is our dockerd (the one in our pidfile) running and answering on our socket? */
export async function engineHealthy(): Promise<boolean> {
  const pid = readPid();
  return pid !== undefined && alive(pid) && (await ping());
}

async function ensureBridge(): Promise<void> {
  const { code } = await run('ip', ['link', 'show', ENGINE.bridge.name], { allowFailure: true });
  if (code !== 0) {
    await run('ip', ['link', 'add', ENGINE.bridge.name, 'type', 'bridge']);
    await run('ip', ['addr', 'add', ENGINE.bridge.cidr, 'dev', ENGINE.bridge.name]);
  }
  await run('ip', ['link', 'set', ENGINE.bridge.name, 'up']);
}

function logTail(): string {
  return existsSync(ENGINE.logFile) ? tail(readFileSync(ENGINE.logFile, 'utf8'), 3000) : '(no log)';
}

/**
 * Our explicit config file, so /etc/docker/daemon.json (a user's settings) never leaks into our engine. Its only
 * setting: our registry as the Docker Hub mirror, which serves the stand-ins for every platform (registry.ts).
 * Returns whether it changed.
 */
function writeDaemonConfig(registryPort: number): boolean {
  const text = `${JSON.stringify({ 'registry-mirrors': [`http://127.0.0.1:${registryPort}`] }, null, 2)}\n`;
  if (existsSync(ENGINE.configFile) && readFileSync(ENGINE.configFile, 'utf8') === text) return false;
  writeFileSync(ENGINE.configFile, text);
  return true;
}

export interface EngineStart {
  reused: boolean;
  seconds: number;
}

export async function startEngine(timeoutMs = 60_000): Promise<EngineStart> {
  if (process.getuid?.() !== 0) throw new Error('the books Docker engine must be started as root (dockerd needs it)');
  await ensureHostPackages();
  return withFileLock(ENGINE.lockFile, timeoutMs + 30_000, async () => {
    const started = Date.now();
    if (await engineHealthy()) {
      // The registry keeps its port across restarts, so the running engine's mirror setting stays right. If it was
      // started with another one, SIGHUP reloads it for pulls, but BuildKit keeps the old one until a restart.
      if (writeDaemonConfig(await ensureRegistry())) {
        process.kill(readPid() as number, 'SIGHUP');
        console.warn(
          `the running engine was started with another registry mirror: restart it when idle (stop, then start)`,
        );
      }
      return { reused: true, seconds: (Date.now() - started) / 1000 };
    }
    const stale = readPid();
    if (stale !== undefined && alive(stale)) {
      // Our dockerd exists but does not answer (still starting, or wedged): give it the same bound, then fail.
      await waitFor(
        async () => ((await ping()) ? true : undefined),
        timeoutMs,
        () =>
          `dockerd pid ${stale} (from ${ENGINE.pidFile}) runs but does not answer on ${ENGINE.socketPath}:\n${logTail()}`,
      );
      return { reused: true, seconds: (Date.now() - started) / 1000 };
    }
    rmSync(ENGINE.pidFile, { force: true });
    for (const dir of [ENGINE.runDir, ENGINE.execRoot, ENGINE.dataRoot, '/var/log/books-docker'])
      mkdirSync(dir, { recursive: true });
    writeDaemonConfig(await ensureRegistry());
    await ensureBridge();
    const log = openSync(ENGINE.logFile, 'a');
    const [command, args] = inAccountingCgroup(ENGINE.dockerd, [
      `--config-file=${ENGINE.configFile}`,
      `--data-root=${ENGINE.dataRoot}`,
      `--exec-root=${ENGINE.execRoot}`,
      `--pidfile=${ENGINE.pidFile}`,
      `--host=${DOCKER_HOST}`,
      `--bridge=${ENGINE.bridge.name}`,
      `--containerd-namespace=${ENGINE.containerdNamespace}`,
      `--containerd-plugins-namespace=${ENGINE.containerdNamespace}-plugins`,
    ]);
    const child = spawn(command, args, { detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    let exitCode: number | null | undefined;
    child.on('exit', (code) => (exitCode = code));
    child.unref();
    await waitFor(
      async () => {
        if (exitCode !== undefined) throw new Error(`dockerd exited (${exitCode}) while starting:\n${logTail()}`);
        return (await ping()) ? true : undefined;
      },
      timeoutMs,
      () => `dockerd did not answer on ${ENGINE.socketPath} within ${timeoutMs / 1000} s:\n${logTail()}`,
    );
    return { reused: false, seconds: (Date.now() - started) / 1000 };
  });
}

/** Work other harnesses may have in our engine: running containers and BuildKit steps in progress. */
async function activeWork(): Promise<string[]> {
  const busy: string[] = [];
  const { stdout } = await docker(['ps', '--format', '{{.Names}}'], { allowFailure: true });
  busy.push(
    ...stdout
      .split('\n')
      .filter(Boolean)
      .map((name) => `container ${name}`),
  );
  // BuildKit runs each RUN step with runc under <data root>/buildkit/executor; `docker ps` does not list them.
  for (const pid of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${ENGINE.dataRoot}/buildkit/executor`))
        busy.push(`build step (runc pid ${pid})`);
    } catch {
      // the process ended meanwhile
    }
  }
  return busy;
}

/**
 * Stop our dockerd (it stops its containers and its containerd); idempotent. Images and the data root stay.
 * The engine is shared by every harness on the machine: unless `force`, it refuses while containers run or a build
 * is in progress, so one harness finishing cannot kill another's work.
 */
export async function stopEngine(options: { force?: boolean; timeoutMs?: number } = {}): Promise<{ stopped: boolean }> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return withFileLock(ENGINE.lockFile, timeoutMs + 30_000, async () => {
    const pid = readPid();
    let stopped = false;
    if (pid !== undefined && alive(pid)) {
      const busy = options.force ? [] : await activeWork();
      if (busy.length > 0)
        throw new Error(`engine in use, not stopping (use --force to stop anyway):\n  ${busy.join('\n  ')}`);
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + timeoutMs;
      while (alive(pid) && Date.now() < deadline) await sleep(200);
      if (alive(pid)) {
        process.kill(pid, 'SIGKILL');
        await sleep(500);
      }
      stopped = true;
    }
    rmSync(ENGINE.pidFile, { force: true });
    stopRegistry();
    await run('ip', ['link', 'del', ENGINE.bridge.name], { allowFailure: true });
    return { stopped };
  });
}
