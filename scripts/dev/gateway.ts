import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { defaultGatewayOptions, type GatewayRenderOptions } from '../../apps/books-reverse-proxy/src/options';
import { renderNginxConf } from '../../apps/books-reverse-proxy/src/render';
import { ManagedProcess, httpOk } from './process';

const REPO_ROOT = resolve(__dirname, '..', '..');
const NGINX_MODULES_DIR = '/usr/lib/nginx/modules';
const NJS_MODULE = 'ngx_http_js_module.so';
const INSTALL_HINT = 'sudo apt-get install nginx libnginx-mod-http-js';

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

function nginxBinary(): string {
  return existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
}

export interface GatewaySettings {
  /** nginx prefix: config, pid file, temp files. */
  dir: string;
  logDir: string;
  port: number;
  metricsPort: number;
  metricsSyslogPort: number;
  /** Route name → `host:port` of each replica. */
  backends: Record<string, readonly string[]>;
  jwt: { issuer: string; audience: string; hs256KeyFile: string; rs256PublicKeyFile: string };
}

/**
 * The gateway exactly as production renders it (route table → renderNginxConf), with only the local differences
 * overridden: static replica addresses instead of DNS, 127.0.0.1 ports, and paths under the state directory.
 */
export class Gateway {
  readonly url: string;
  readonly metricsUrl: string;
  readonly configFile: string;
  /** nginx's access log (JSON lines) and error log, both written to its stdout/stderr. */
  readonly logFile: string;
  private readonly process: ManagedProcess;

  constructor(private readonly settings: GatewaySettings) {
    this.url = `http://127.0.0.1:${settings.port}`;
    this.metricsUrl = `http://127.0.0.1:${settings.metricsPort}/metrics`;
    this.configFile = join(settings.dir, 'nginx.conf');
    this.logFile = join(settings.logDir, 'gateway.log');
    this.process = new ManagedProcess({
      name: 'gateway',
      command: nginxBinary(),
      // The rendered config says `daemon off;` and logs to stdout/stderr, i.e. into this process's log file.
      args: ['-p', settings.dir, '-c', this.configFile],
      cwd: settings.dir,
      env: { PATH: process.env.PATH },
      logFile: this.logFile,
      isReady: () => httpOk(`${this.url}/healthz`),
    });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Renders the configuration into the state directory. */
  writeConfig(): void {
    const options: GatewayRenderOptions = {
      ...defaultGatewayOptions(),
      listenPort: this.settings.port,
      listenAddress: '127.0.0.1',
      backends: { kind: 'static', addresses: this.settings.backends },
      jwt: { ...defaultGatewayOptions().jwt, ...this.settings.jwt },
      metrics: null,
      paths: {
        tempDir: join(this.settings.dir, 'tmp'),
        njsDir: join(REPO_ROOT, 'apps/books-reverse-proxy/njs'),
        nginxModulesDir: NGINX_MODULES_DIR,
      },
      workerProcesses: 1,
      workerShutdownTimeoutSeconds: 5,
    };
    mkdirSync(join(this.settings.dir, 'tmp'), { recursive: true });
    writeFileSync(this.configFile, renderNginxConf(options));
  }

  async start(): Promise<void> {
    this.writeConfig();
    grantWorkersRead([this.settings.jwt.hs256KeyFile, this.settings.jwt.rs256PublicKeyFile]);
    const check = this.nginxCommand(['-t', '-q']);
    if (check.status !== 0) throw new Error(`rendered gateway config ${this.configFile} is invalid:\n${check.stderr}`);
    await this.process.start();
  }

  /**
   * A one-off nginx command against this gateway's config. stdout is /dev/null rather than a pipe: the config's
   * `access_log /dev/stdout` cannot be opened on the socket Node uses for pipes (ENXIO).
   */
  private nginxCommand(args: readonly string[]): SpawnSyncReturns<string> {
    return spawnSync(nginxBinary(), [...args, '-p', this.settings.dir, '-c', this.configFile], {
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  }

  stop(): Promise<void> {
    return this.process.stop();
  }

  /** Reloads the configuration file as it is on disk (nginx validates it and keeps the old one on error). */
  async reload(): Promise<void> {
    const result = this.nginxCommand(['-s', 'reload']);
    if (result.status !== 0) throw new Error(`nginx -s reload failed:\n${result.stderr}`);
    const deadline = Date.now() + 10_000;
    while (!(await httpOk(`${this.url}/healthz`).catch(() => false))) {
      if (Date.now() > deadline) throw new Error('the gateway did not answer /healthz within 10 s after reload');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
