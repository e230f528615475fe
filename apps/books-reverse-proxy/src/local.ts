/**
 * Runs the real gateway on this machine (Debian's nginx + njs under gatewayd) from rendered options:
 * used by the gateway's own tests, its benchmark and the platform's local runs (`npm run dev`).
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePorts } from '../../../scripts/dev/ports';
import { defaultGatewayOptions, type GatewayRenderOptions } from './options';
import { renderNginxConf } from './render';

const execFileAsync = promisify(execFile);
export const appDir = resolve(__dirname, '..');
export const njsDir = join(appDir, 'njs');
export const nginxBinary = process.env.GATEWAY_NGINX ?? '/usr/sbin/nginx';

export interface LocalGatewaySetup {
  /** Working directory: config, temp files, pid. Created if missing. */
  readonly dir: string;
  /** Route name → `host:port` list. */
  readonly addresses: Readonly<Record<string, readonly string[]>>;
  readonly hs256KeyFile: string;
  readonly rs256PublicKeyFile: string;
  /** Serve gatewayd's metrics (read from the access log lines gatewayd copies). */
  readonly metrics: boolean;
}

/** Options for a local run: 127.0.0.1, free ports, the repo's njs module, static backends, everything under dir. */
export async function localGatewayOptions(setup: LocalGatewaySetup): Promise<GatewayRenderOptions> {
  const defaults = defaultGatewayOptions();
  const [listenPort, metricsPort] = (await freePorts(2)) as [number, number];
  return {
    ...defaults,
    listenAddress: '127.0.0.1',
    listenPort,
    backends: { kind: 'static', addresses: setup.addresses },
    jwt: { ...defaults.jwt, hs256KeyFile: setup.hs256KeyFile, rs256PublicKeyFile: setup.rs256PublicKeyFile },
    metrics: setup.metrics ? { port: metricsPort, listenAddress: '127.0.0.1' } : null,
    upstream: { ...defaults.upstream, maxFails: 1 },
    paths: { ...defaults.paths, tempDir: resolve(setup.dir), njsDir },
    workerProcesses: 1,
  };
}

/**
 * For load from one local client (benchmarks, drills): the production per-client limits (50 req/s, burst 100,
 * 50 connections) would turn it into 429s, and those runs measure cost and failover, not rate limiting.
 */
export function liftLimits(options: GatewayRenderOptions): GatewayRenderOptions {
  return {
    ...options,
    limits: { ...options.limits, requestsPerSecond: 1_000_000, burst: 1_000_000, connectionsPerClient: 10_000 },
  };
}

/** Go for building/testing gatewayd locally: $GO, /usr/local/go/bin/go, or `go` on PATH. */
export function goBinary(): string {
  return process.env.GO ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go');
}

/** Builds gatewayd (Go, stdlib only) into dir; returns the binary's path. */
export async function buildGatewayd(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const output = join(dir, 'gatewayd');
  await execFileAsync(goBinary(), ['build', '-o', output, '.'], { cwd: join(appDir, 'supervisor') });
  return output;
}

export interface LocalGateway {
  readonly options: GatewayRenderOptions;
  readonly url: string;
  readonly configFile: string;
  /** Everything nginx wrote to stdout (the JSON access log), split into lines. */
  accessLogLines(): string[];
  stderr(): string;
  /** Optionally re-render with new options (same ports/paths), then SIGHUP gatewayd: nginx reloads, no restart. */
  reload(options?: GatewayRenderOptions): Promise<void>;
  stop(): Promise<void>;
}

export interface StartOptions {
  readonly options: GatewayRenderOptions;
  /** gatewayd binary; built from supervisor/ (once per process) when omitted. */
  readonly gatewayd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** `collect` (default) keeps access log lines for accessLogLines(); `discard` sends them to /dev/null (benchmarks). */
  readonly accessLog?: 'collect' | 'discard';
}

let builtGatewayd: Promise<string> | undefined;
function defaultGatewayd(): Promise<string> {
  if (!builtGatewayd) {
    const dir = mkdtempSync(join(tmpdir(), 'gatewayd-'));
    // One 9 MB build per process, used until it ends (a running binary may be unlinked).
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    builtGatewayd = buildGatewayd(dir);
  }
  return builtGatewayd;
}

/**
 * Starts nginx under gatewayd, as the image does: gatewayd gives nginx a real pipe for `access_log /dev/stdout`
 * (a Node child's stdout is a socket, which nginx cannot re-open), resolves DNS backends and serves metrics.
 */
export async function startLocalGateway({
  options,
  gatewayd,
  env,
  accessLog = 'collect',
}: StartOptions): Promise<LocalGateway> {
  const dir = options.paths.tempDir;
  mkdirSync(dir, { recursive: true });
  const configFile = join(dir, 'nginx.conf');
  writeFileSync(configFile, renderNginxConf(options));
  const binary = gatewayd ?? (await defaultGatewayd());
  const child: ChildProcess = spawn(binary, ['-config', configFile, '-nginx', nginxBinary, '-prefix', `${dir}/`], {
    env: { ...process.env, ...env },
    stdio: ['ignore', accessLog === 'collect' ? 'pipe' : 'ignore', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const url = `http://127.0.0.1:${options.listenPort}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`gateway exited (${child.exitCode}):\n${stderr}`);
      const response = await fetch(`${url}/healthz`).catch(() => null);
      return response?.status === 200;
    },
    10_000,
    () => `gateway did not become healthy:\n${stderr}`,
  );

  return {
    options,
    url,
    configFile,
    accessLogLines: () => stdout.split('\n').filter((line) => line !== ''),
    stderr: () => stderr,
    async reload(next?: GatewayRenderOptions) {
      if (next) writeFileSync(configFile, renderNginxConf(next));
      // As in the container (`kill -HUP 1`): gatewayd re-reads the config, re-resolves, then reloads nginx.
      child.kill('SIGHUP');
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGQUIT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export async function waitFor(
  condition: () => Promise<boolean>,
  timeoutMs: number,
  message: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(message());
    await new Promise((r) => setTimeout(r, 50));
  }
}
