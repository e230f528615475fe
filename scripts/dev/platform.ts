/**
 * The whole books platform on one machine, without a cluster: an embedded PostgreSQL, books and books-react
 * replicas, and the nginx gateway rendered from the same route table as production. Used by `npm run dev`, by the
 * integration suite's root hook and by the drills. See scripts/dev/README.md.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { routes } from '../../apps/books-reverse-proxy/src/routes';
import { buildAll, type BuildMode } from './build';
import { Gateway, assertGatewayPrerequisites, type GatewayCustomizer } from './gateway';
import { ensureJwtKeys } from './keys';
import { assertPortFree, freePorts } from './ports';
import { Database } from './postgres';
import { removeIfOrphaned } from './process';
import { Replica, buildSteps, serviceKinds, type ServiceKind } from './services';
import { REPO_ROOT, jwtKeyDir } from './state';
import { mintToken, type MintOptions } from './tokens';

export type { BuildMode } from './build';
export type { GatewayCustomizer } from './gateway';
export type { MintOptions } from './tokens';

export { REPO_ROOT };

export interface PlatformPorts {
  /** The gateway's HTTP port (the platform URL). */
  gateway: number;
  /** Prometheus `/metrics` of the gateway (gatewayd). */
  metrics: number;
  database: number;
  /** One port per books replica. */
  books: number[];
  /** One port per books-react replica. */
  booksReact: number[];
}

export interface PlatformOptions {
  /**
   * Keeps the database, the JWT keys and the logs between runs. Omitted → a fresh directory under the system temp
   * dir, removed by stop(). As root, every parent must be traversable by the PostgreSQL user (not under /root).
   */
  stateDir?: string;
  /** Where the processes' logs go; default `<stateDir>/logs`. Give one outside an ephemeral stateDir to keep them. */
  logDir?: string;
  /** Fixed ports; anything omitted (or 0) is chosen free by the kernel. Replica counts follow `replicas`. */
  ports?: Partial<PlatformPorts>;
  replicas?: { books?: number; booksReact?: number };
  /** Build the artefacts the platform runs (books dist, the web app, the Go server): default `if-stale`. */
  build?: BuildMode;
  /** books' `BOOKS_LOAD_SAMPLE` (idempotent sample catalogue): default false. */
  loadSampleData?: boolean;
  /** books' LOG_LEVEL: default `info`. */
  logLevel?: string;
  /**
   * Last word on the gateway's render options, after the local overrides (static replica addresses, ports, paths).
   * E.g. the drills lift the per-client rate limits: `(o) => ({ ...o, limits: { ...o.limits, burst: 100000 } })`.
   */
  customizeGateway?: GatewayCustomizer;
  /** Progress lines (building, starting…); default: silent. */
  log?: (line: string) => void;
}

/** One replica of a service, in its own process group. */
export interface ReplicaHandle {
  /** e.g. `books-1`, `books-react-2`. */
  readonly name: string;
  readonly port: number;
  /** Direct URL of this replica (bypassing the gateway). */
  readonly url: string;
  /** Current process id (changes on restart); undefined before the first start. */
  readonly pid: number | undefined;
  readonly running: boolean;
  readonly logFile: string;
  /** Sends `signal` (default SIGKILL) to the replica's process group and returns at once; see waitForExit. */
  kill(signal?: NodeJS.Signals): void;
  /** Resolves true once every process of the replica is gone, false after timeoutMs. */
  waitForExit(timeoutMs: number): Promise<boolean>;
  /** Graceful stop: SIGTERM, SIGKILL after a grace period. */
  stop(): Promise<void>;
  /** Starts the replica (if stopped or killed) and waits until its health check passes. */
  start(): Promise<void>;
  /** stop() then start(). */
  restart(): Promise<void>;
}

export interface GatewayHandle {
  readonly url: string;
  readonly metricsUrl: string;
  /** The supervisor gatewayd (nginx's master is its child, in the same process group). */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** The rendered nginx.conf; edit it and call reload() to apply a change. */
  readonly configFile: string;
  /** nginx's access log (JSON lines) and error log together. */
  readonly logFile: string;
  /**
   * Applies the config file as it is on disk (like `nginx -s reload`): validates it first (throws, no reload, when
   * invalid) and resolves once a new generation of nginx workers serves.
   */
  reload(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

export interface DatabaseHandle {
  /** `postgres://…` for DATABASE_URL. */
  readonly url: string;
  readonly port: number;
  readonly pid: number | undefined;
  readonly running: boolean;
  readonly logFile: string;
  /** Fast shutdown of PostgreSQL; the data stays. */
  stop(): Promise<void>;
  /** Starts PostgreSQL again on the same data and port. */
  start(): Promise<void>;
}

export interface JwtSettings {
  issuer: string;
  audience: string;
  hs256KeyFile: string;
  rs256PublicKeyFile: string;
  rs256PrivateKeyFile: string;
}

export interface Platform {
  /** The gateway's base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** A token with `books:write`, valid for a day. */
  readonly writeToken: string;
  readonly jwt: JwtSettings;
  /** Mints a token the gateway accepts (or, with deliberately wrong options, rejects). */
  mintToken(options: MintOptions): Promise<string>;
  readonly books: readonly ReplicaHandle[];
  readonly booksReact: readonly ReplicaHandle[];
  readonly gateway: GatewayHandle;
  readonly database: DatabaseHandle;
  readonly stateDir: string;
  readonly logDir: string;
  /** The harness environment the platform cases read (BOOKS_PLATFORM_URL, BOOKS_WRITE_TOKEN, …). */
  readonly env: Readonly<Record<string, string>>;
  /** Stops everything (gateway first, database last) and leaves no process behind; idempotent. */
  stop(): Promise<void>;
}

const ISSUER = 'books-platform';
const AUDIENCE = 'books-api';

export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const log = options.log ?? (() => undefined);
  const ephemeral = options.stateDir === undefined;
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'books-platform-'));
  // mkdtemp makes it 0700; PostgreSQL and the nginx workers run as other users and must traverse it.
  if (ephemeral) chmodSync(stateDir, 0o755);
  const forgetStateDir = ephemeral ? removeIfOrphaned(stateDir) : () => undefined;
  const logDir = options.logDir ?? join(stateDir, 'logs');
  const started: { stop(): Promise<void> }[] = [];
  const stopAll = async (): Promise<void> => {
    // Reverse start order: the gateway stops taking traffic before the replicas and the database go.
    const errors: unknown[] = [];
    for (const part of started.splice(0).reverse()) await part.stop().catch((error: unknown) => errors.push(error));
    if (ephemeral) rmSync(stateDir, { recursive: true, force: true });
    forgetStateDir();
    if (errors.length > 0) throw new AggregateError(errors, 'some platform processes did not stop cleanly');
  };

  try {
    assertGatewayPrerequisites();
    const ports = await resolvePorts(options);
    await buildAll(REPO_ROOT, join(REPO_ROOT, '.cache', 'build'), buildSteps, options.build ?? 'if-stale', log);
    const keys = ensureJwtKeys(jwtKeyDir(stateDir));
    const jwt: JwtSettings = {
      issuer: ISSUER,
      audience: AUDIENCE,
      hs256KeyFile: keys.hs256Key,
      rs256PublicKeyFile: keys.rs256PublicKey,
      rs256PrivateKeyFile: keys.rs256PrivateKey,
    };

    log(`starting PostgreSQL on 127.0.0.1:${ports.database}`);
    const database = await Database.prepare({
      dir: join(stateDir, 'postgres'),
      port: ports.database,
      logFile: join(logDir, 'postgres.log'),
    });
    await database.start();
    started.push(database);

    const replicasOf = (kind: ServiceKind, servicePorts: number[]): Replica[] =>
      servicePorts.map(
        (port, index) =>
          new Replica(serviceKinds[kind], index + 1, port, logDir, {
            databaseUrl: database.url,
            loadSampleData: options.loadSampleData ?? false,
            logLevel: options.logLevel ?? 'info',
          }),
      );
    const books = replicasOf('books', ports.books);
    const booksReact = replicasOf('booksReact', ports.booksReact);
    log(`starting ${books.length} books and ${booksReact.length} books-react replicas`);
    started.push(...books, ...booksReact);
    await Promise.all([...books, ...booksReact].map((replica) => replica.start()));

    log(`starting the gateway on 127.0.0.1:${ports.gateway}`);
    const gateway = new Gateway({
      dir: join(stateDir, 'gateway'),
      logDir,
      port: ports.gateway,
      metricsPort: ports.metrics,
      backends: backendAddresses([...books, ...booksReact]),
      jwt,
      customize: options.customizeGateway,
    });
    await gateway.start();
    started.push(gateway);

    const mintKeys = {
      issuer: jwt.issuer,
      audience: jwt.audience,
      hs256Key: readFileSync(jwt.hs256KeyFile),
      rs256PrivateKeyPem: readFileSync(jwt.rs256PrivateKeyFile, 'utf8'),
    };
    const mint = (mintOptions: MintOptions): Promise<string> => mintToken(mintKeys, mintOptions);
    const writeToken = await mint({ sub: 'dev', scope: 'books:write', ttlSeconds: 24 * 3600 });
    return {
      url: gateway.url,
      writeToken,
      jwt,
      mintToken: mint,
      books,
      booksReact,
      gateway,
      database,
      stateDir,
      logDir,
      env: {
        BOOKS_PLATFORM_URL: gateway.url,
        BOOKS_WRITE_TOKEN: writeToken,
        BOOKS_JWT_HS256_KEY_FILE: jwt.hs256KeyFile,
        BOOKS_JWT_ISSUER: jwt.issuer,
        BOOKS_JWT_AUDIENCE: jwt.audience,
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll().catch(() => undefined);
    throw error;
  }
}

/** Each route of the table → the local replicas of its backend Service, as `127.0.0.1:<port>`. */
function backendAddresses(replicas: readonly Replica[]): Record<string, string[]> {
  return Object.fromEntries(
    routes.map((route) => {
      const serving = replicas.filter((replica) => replica.service === route.backend.service);
      if (serving.length === 0) {
        throw new Error(
          `route ${route.name} goes to ${route.backend.service}, which has no local replicas (scripts/dev/services.ts)`,
        );
      }
      return [route.name, serving.map((replica) => `127.0.0.1:${replica.port}`)];
    }),
  );
}

async function resolvePorts(options: PlatformOptions): Promise<PlatformPorts> {
  const wanted = options.ports ?? {};
  const bookCount = options.replicas?.books ?? wanted.books?.length ?? 2;
  const reactCount = options.replicas?.booksReact ?? wanted.booksReact?.length ?? 2;
  const pick = (given: number[] | undefined, count: number): number[] =>
    Array.from({ length: count }, (_, i) => given?.[i] ?? 0);
  const layout: PlatformPorts = {
    gateway: wanted.gateway ?? 0,
    metrics: wanted.metrics ?? 0,
    database: wanted.database ?? 0,
    books: pick(wanted.books, bookCount),
    booksReact: pick(wanted.booksReact, reactCount),
  };
  const all = [layout.gateway, layout.metrics, layout.database, ...layout.books, ...layout.booksReact];
  const fixed = all.filter((port) => port !== 0);
  if (new Set(fixed).size !== fixed.length) throw new Error(`the same port is given twice: ${fixed.join(', ')}`);
  await Promise.all(fixed.map((port) => assertPortFree(port, portOwner(layout, port))));
  const free = await freePorts(all.filter((port) => port === 0).length);
  const take = (port: number): number => (port !== 0 ? port : (free.shift() as number));
  return {
    gateway: take(layout.gateway),
    metrics: take(layout.metrics),
    database: take(layout.database),
    books: layout.books.map(take),
    booksReact: layout.booksReact.map(take),
  };
}

function portOwner(layout: PlatformPorts, port: number): string {
  const named = Object.entries(layout).flatMap(([name, value]) =>
    Array.isArray(value) ? value.map((p, i) => [`${name} replica ${i + 1}`, p] as const) : [[name, value] as const],
  );
  return named.find(([, value]) => value === port)?.[0] ?? 'the platform';
}
