import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  defaultGatewayOptions,
  renderNginxConf,
  type GatewayRenderOptions,
} from '../../apps/books-reverse-proxy/src/render';
import { ManagedProcess, httpOk } from './process';
import { REPO_ROOT } from './state';

const NGINX_MODULES_DIR = '/usr/lib/nginx/modules';
const NJS_MODULE = 'ngx_http_js_module.so';
const INSTALL_HINT = 'sudo apt-get install nginx libnginx-mod-http-js';
/** Built from apps/books-reverse-proxy/supervisor by the platform's build step (services.ts). */
export const GATEWAYD_BINARY = '.cache/build/gatewayd';

/** Fails with the install command when nginx or its njs module is missing. */
export function assertGatewayPrerequisites(): void {
  const probe = spawnSync(nginxBinary(), ['-v'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`the gateway needs nginx, which is not installed: ${INSTALL_HINT}`);
  }
  if (!existsSync(join(NGINX_MODULES_DIR, NJS_MODULE))) {
    throw new Error(`the gateway needs nginx's njs module (${NGINX_MODULES_DIR}/${NJS_MODULE}): ${INSTALL_HINT}`);
  }
}

/** BOOKS_DEV_NGINX names another nginx binary (and lets a test simulate a machine without nginx). */
function nginxBinary(): string {
  return process.env.BOOKS_DEV_NGINX || (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx');
}

/**
 * Started as root, nginx runs its workers as `nobody` (the compiled-in default; the rendered config has no `user`
 * line because the image runs as 10001), and the njs module reads the key files per request in a worker.
 */
function grantWorkersRead(files: readonly string[]): void {
  if (userInfo().uid !== 0) return;
  const nobody = spawnSync('id', ['-u', 'nobody'], { encoding: 'utf8' });
  if (nobody.status !== 0) throw new Error('running as root, but there is no `nobody` user for the nginx workers');
  for (const file of files) chownSync(file, Number(nobody.stdout), -1);
}

export type GatewayCustomizer = (options: GatewayRenderOptions) => GatewayRenderOptions;

export interface GatewaySettings {
  /** nginx prefix: config, pid file, temp files. */
  dir: string;
  logDir: string;
  port: number;
  metricsPort: number;
  /** Route name → `host:port` of each replica. */
  backends: Record<string, readonly string[]>;
  jwt: { issuer: string; audience: string; hs256KeyFile: string; rs256PublicKeyFile: string };
  /** Last word on the render options (e.g. the drills lift the per-client rate limits). */
  customize?: GatewayCustomizer;
}

/**
 * The gateway exactly as the image runs it — gatewayd supervising nginx, metrics read from the access log — with the config
 * rendered from the route table by renderNginxConf. Only the local differences are overridden: static replica
 * addresses instead of DNS names, 127.0.0.1 and free ports, and paths under the state directory.
 */
export class Gateway {
  readonly url: string;
  readonly metricsUrl: string;
  readonly configFile: string;
  /** gatewayd's lines and nginx's access log (JSON lines) and error log. */
  readonly logFile: string;
  private readonly tempDir: string;
  private readonly process: ManagedProcess;

  constructor(private readonly settings: GatewaySettings) {
    this.url = `http://127.0.0.1:${settings.port}`;
    this.metricsUrl = `http://127.0.0.1:${settings.metricsPort}/metrics`;
    this.configFile = join(settings.dir, 'nginx.conf');
    this.tempDir = join(settings.dir, 'tmp');
    this.logFile = join(settings.logDir, 'gateway.log');
    this.process = new ManagedProcess({
      name: 'gateway',
      command: join(REPO_ROOT, GATEWAYD_BINARY),
      args: this.gatewaydArgs(),
      cwd: settings.dir,
      env: { PATH: process.env.PATH },
      logFile: this.logFile,
      isReady: async () => (await httpOk(`${this.url}/healthz`)) && (await httpOk(this.metricsUrl)),
    });
  }

  /** gatewayd's pid (nginx's master is its child, in the same process group). */
  get pid(): number | undefined {
    return this.process.pid;
  }

  get running(): boolean {
    return this.process.running;
  }

  /** Renders the configuration into the state directory. */
  private writeConfig(): void {
    const defaults = defaultGatewayOptions();
    const local: GatewayRenderOptions = {
      ...defaults,
      listenPort: this.settings.port,
      listenAddress: '127.0.0.1',
      backends: { kind: 'static', addresses: this.settings.backends },
      jwt: { ...defaults.jwt, ...this.settings.jwt },
      metrics: {
        port: this.settings.metricsPort,
        listenAddress: '127.0.0.1',
      },
      paths: {
        tempDir: this.tempDir,
        njsDir: join(REPO_ROOT, 'apps/books-reverse-proxy/njs'),
        nginxModulesDir: NGINX_MODULES_DIR,
      },
      // Short, so that stopping the platform never waits long for idle keepalive connections.
      workerShutdownTimeoutSeconds: 5,
    };
    mkdirSync(this.tempDir, { recursive: true });
    writeFileSync(this.configFile, renderNginxConf(this.settings.customize ? this.settings.customize(local) : local));
  }

  async start(): Promise<void> {
    this.writeConfig();
    grantWorkersRead([this.settings.jwt.hs256KeyFile, this.settings.jwt.rs256PublicKeyFile]);
    this.validate();
    await this.process.start();
  }

  stop(): Promise<void> {
    return this.process.stop();
  }

  /**
   * Applies the config file as it is on disk now: validates it (`nginx -t`, a clear error and no reload when it is
   * invalid), sends SIGHUP to gatewayd, which reloads nginx, and resolves once a new generation of workers serves.
   */
  async reload(): Promise<void> {
    this.validate();
    const master = this.nginxMasterPid();
    const before = new Set(childPids(master).filter(isServingWorker));
    this.process.signalLeader('SIGHUP');
    const deadline = Date.now() + 15_000;
    for (;;) {
      const fresh = childPids(master).filter((pid) => !before.has(pid) && isServingWorker(pid));
      if (fresh.length >= before.size && (await httpOk(`${this.url}/healthz`).catch(() => false))) return;
      if (Date.now() > deadline)
        throw new Error(`nginx did not start new workers within 15 s of a reload (${this.logFile})`);
      await sleep(50);
    }
  }

  /**
   * `gatewayd -check` against this gateway's config, as the image build does: it writes the files the config
   * includes (this start's instance id, upstream servers) and runs `nginx -t` with a pipe as nginx's stdout.
   */
  private validate(): void {
    const check = spawnSync(join(REPO_ROOT, GATEWAYD_BINARY), this.gatewaydArgs('-check'), {
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    if (check.error) throw new Error(`could not run ${GATEWAYD_BINARY} -check: ${check.error.message}`);
    if (check.status !== 0) throw new Error(`gateway config ${this.configFile} is invalid:\n${check.stderr}`);
  }

  private gatewaydArgs(...flags: string[]): string[] {
    return [...flags, '-config', this.configFile, '-nginx', nginxBinary(), '-prefix', `${this.settings.dir}/`];
  }

  private nginxMasterPid(): number {
    const pid = Number(readFileSync(join(this.tempDir, 'nginx.pid'), 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no nginx master pid in ${this.tempDir}/nginx.pid`);
    return pid;
  }
}

/** Children of `parent`, from /proc (this kernel has no /proc/<pid>/task/<pid>/children). */
function childPids(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProc(`/proc/${entry}/stat`);
    // Fields after the command name (which may contain spaces): state, ppid, …
    const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (fields && Number(fields[1]) === parent) children.push(Number(entry));
  }
  return children;
}

/** An nginx worker of the current generation (old ones call themselves "worker process is shutting down"). */
function isServingWorker(pid: number): boolean {
  const title = readProc(`/proc/${pid}/cmdline`)?.replace(/\0/g, ' ').trim() ?? '';
  return title.startsWith('nginx: worker process') && !title.includes('shutting down');
}

function readProc(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
