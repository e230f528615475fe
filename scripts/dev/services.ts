import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildStep } from './build';
import { GATEWAYD_BINARY } from './gateway';
import { ManagedProcess, httpOk } from './process';
import { REPO_ROOT } from './state';

/** Node 24 from the root devDependency `node` (the Node on PATH may be older). */
const NODE = existsSync(join(REPO_ROOT, 'node_modules', '.bin', 'node'))
  ? join(REPO_ROOT, 'node_modules', '.bin', 'node')
  : process.execPath;
const WEB_SERVER_BINARY = '.cache/build/books-react-server';

/** What every replica of a service gets from the platform. */
export interface ReplicaContext {
  databaseUrl: string;
  loadSampleData: boolean;
  logLevel: string;
}

/** The differences between the two services, in one table. */
export interface ServiceKindSpec {
  /** Replica names are `<name>-<n>`. */
  name: string;
  /** The Kubernetes Service the route table points at (docs/contracts.md); its routes go to these replicas. */
  service: string;
  /** Relative to the repository. */
  cwd: string;
  command: string;
  args: readonly string[];
  env(port: number, context: ReplicaContext): NodeJS.ProcessEnv;
  /** Path polled until it answers 2xx. */
  readyPath: string;
}

export const serviceKinds = {
  books: {
    name: 'books',
    service: 'books-service',
    cwd: 'apps/books',
    command: NODE,
    args: ['dist/server.js'],
    env: (port, context) => ({
      PORT: String(port),
      HOST: '127.0.0.1',
      DATABASE_URL: context.databaseUrl,
      LOG_LEVEL: context.logLevel,
      BOOKS_LOAD_SAMPLE: String(context.loadSampleData),
      SHUTDOWN_TIMEOUT_MS: '10000',
    }),
    readyPath: '/readyz',
  },
  booksReact: {
    name: 'books-react',
    service: 'books-react-service',
    cwd: 'apps/books-react',
    command: join(REPO_ROOT, WEB_SERVER_BINARY),
    args: ['-root', join(REPO_ROOT, 'apps/books-react/dist')],
    // It listens on all interfaces (`:PORT`, as in its container); there is no address option.
    env: (port) => ({ PORT: String(port) }),
    readyPath: '/healthz',
  },
} satisfies Record<string, ServiceKindSpec>;

export type ServiceKind = keyof typeof serviceKinds;

/** What must be built before the replicas can run: each app's own `npm run build`, and `go build` for the servers. */
export const buildSteps: readonly BuildStep[] = [
  {
    name: 'books',
    inputs: ['apps/books/src', 'apps/books/package.json', 'apps/books/tsconfig.build.json'],
    outputs: ['apps/books/dist/server.js'],
    command: 'npm',
    args: ['run', '-s', 'build'],
    cwd: 'apps/books',
  },
  {
    name: 'books-react',
    inputs: [
      'apps/books-react/src',
      'apps/books-react/index.html',
      'apps/books-react/public',
      'apps/books-react/vite.config.mts',
      'apps/books-react/package.json',
    ],
    outputs: ['apps/books-react/dist/index.html'],
    command: 'npm',
    args: ['run', '-s', 'build'],
    cwd: 'apps/books-react',
  },
  {
    name: 'books-react-server',
    inputs: ['apps/books-react/server'],
    outputs: [WEB_SERVER_BINARY],
    command: 'go',
    args: ['build', '-o', join(REPO_ROOT, WEB_SERVER_BINARY), '.'],
    cwd: 'apps/books-react/server',
  },
  {
    name: 'gatewayd',
    inputs: ['apps/books-reverse-proxy/supervisor'],
    outputs: [GATEWAYD_BINARY],
    command: 'go',
    args: ['build', '-o', join(REPO_ROOT, GATEWAYD_BINARY), '.'],
    cwd: 'apps/books-reverse-proxy/supervisor',
  },
];

/** One replica: a managed process plus the handle operations the drills use. */
export class Replica {
  readonly name: string;
  /** The Kubernetes Service this replica stands in for (the route table's backend). */
  readonly service: string;
  readonly url: string;
  private readonly process: ManagedProcess;

  constructor(
    kind: ServiceKindSpec,
    ordinal: number,
    readonly port: number,
    logDir: string,
    context: ReplicaContext,
  ) {
    this.name = `${kind.name}-${ordinal}`;
    this.service = kind.service;
    this.url = `http://127.0.0.1:${port}`;
    const readyUrl = `${this.url}${kind.readyPath}`;
    this.process = new ManagedProcess({
      name: this.name,
      command: kind.command,
      args: kind.args,
      cwd: join(REPO_ROOT, kind.cwd),
      env: { PATH: process.env.PATH, TZ: process.env.TZ, ...kind.env(port, context) },
      logFile: join(logDir, `${this.name}.log`),
      isReady: () => httpOk(readyUrl),
    });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get running(): boolean {
    return this.process.running;
  }

  get logFile(): string {
    return this.process.logFile;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.process.signal(signal);
  }

  waitForExit(timeoutMs: number): Promise<boolean> {
    return this.process.waitForExit(timeoutMs);
  }

  stop(): Promise<void> {
    return this.process.stop();
  }

  async start(): Promise<void> {
    if (!this.process.running) await this.process.start();
  }

  async restart(): Promise<void> {
    await this.process.stop();
    await this.process.start();
  }
}
