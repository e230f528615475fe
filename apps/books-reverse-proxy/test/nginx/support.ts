/**
 * Real backends (node:http) that record what reaches them, a raw HTTP client, and per-suite gateway setup.
 * Every suite gets its own directory under the OS temp dir and 127.0.0.1 ports picked by the kernel.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import {
  request as httpRequest,
  createServer,
  type Agent,
  type IncomingHttpHeaders,
  type Server,
  type ServerResponse,
  type IncomingMessage,
} from 'node:http';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../../../scripts/dev/ports';
import { localGatewayOptions, startLocalGateway, waitFor, type LocalGateway } from '../../src/local';
import type { GatewayRenderOptions } from '../../src/options';
import { mintToken } from '../../src/token';
import { writeTestKeys, type TestKeys } from '../keys';

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly connection: number;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

export interface Backend {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly address: string;
  readonly requests: RecordedRequest[];
  /** TCP connections accepted so far. */
  connections(): number;
  /** Replace the handler (default: 200 JSON echo naming this backend). */
  handle(handler: Handler | null): void;
  close(): Promise<void>;
}

export function echo(name: string): Handler {
  return (req, res, body) => {
    res.setHeader('Content-Type', 'application/json');
    res.setHeader('X-Powered-By', 'Express');
    res.setHeader('X-Request-ID', 'backend-echo');
    res.end(JSON.stringify({ backend: name, method: req.method, url: req.url, body }));
  };
}

/**
 * A recording HTTP backend. Without a port it takes one from freePort, not port 0: the kernel may offer again a port
 * a test was just handed to stay dead (a dead replica's address).
 */
export async function startBackend(name: string, host = '127.0.0.1', requestedPort?: number): Promise<Backend> {
  const port = requestedPort ?? (await freePort());
  const requests: RecordedRequest[] = [];
  let connections = 0;
  let handler: Handler | null = null;
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      const connection = (req.socket as Socket & { gwId?: number }).gwId ?? 0;
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, connection });
      (handler ?? echo(name))(req, res, body);
    });
  });
  server.keepAliveTimeout = 10_000; // above the gateway's upstream keepalive_timeout, as in production
  server.on('connection', (socket: Socket & { gwId?: number }) => {
    socket.gwId = ++connections;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    name,
    host,
    port,
    address: `${host}:${port}`,
    requests,
    connections: () => connections,
    handle: (next) => (handler = next),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface Reply {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface SendOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly timeoutMs?: number;
  /** Default: none, i.e. a fresh connection per request. */
  readonly agent?: Agent;
}

/** One request (on a fresh connection unless `agent` says otherwise), nothing added or hidden (unlike fetch). */
export function send(url: string, options: SendOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {}, agent: options.agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      },
    );
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error(`timeout: ${url}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** A request id the gateway generated: <instance id>-<worker pid>-<connection>-<request on it> (supervisor/instance.go). */
export const GENERATED_REQUEST_ID = /^([0-9a-f]{16})-([1-9][0-9]*)-([1-9][0-9]*)-([1-9][0-9]*)$/;

export interface JsonError {
  readonly error: string;
  readonly message: string;
  readonly details: { readonly requestId: string; readonly reason?: string };
}

/** Parses a gateway error body and checks its platform shape. */
export function jsonError(reply: Reply): JsonError {
  if (!String(reply.headers['content-type']).startsWith('application/json')) {
    throw new Error(`not JSON (${reply.headers['content-type']}): ${reply.body}`);
  }
  const parsed = JSON.parse(reply.body) as JsonError;
  if (typeof parsed.error !== 'string' || typeof parsed.message !== 'string' || typeof parsed.details !== 'object') {
    throw new Error(`not the {error, message, details} shape: ${reply.body}`);
  }
  return parsed;
}

export interface Fixture {
  readonly dir: string;
  readonly keys: TestKeys;
  readonly backends: Record<string, Backend[]>;
  readonly gateway: LocalGateway;
  stop(): Promise<void>;
}

export interface FixtureOptions {
  /** Replicas per route (default books: 1, web: 1). */
  readonly replicas?: Readonly<Record<string, number>>;
  /** Extra addresses per route that nothing listens on (dead replicas). */
  readonly deadAddresses?: Readonly<Record<string, readonly string[]>>;
  readonly overrides?: (options: GatewayRenderOptions) => GatewayRenderOptions;
  readonly metrics?: boolean;
}

/** A fresh directory nginx workers can read (as root, nginx runs its workers as `nobody`). */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `gw-${label}-`));
  chmodSync(dir, 0o755);
  return dir;
}

/** Backends + keys + a gateway (nginx under gatewayd) with static addresses. */
export async function startFixture(label: string, options: FixtureOptions = {}): Promise<Fixture> {
  const dir = tempDir(label);
  const keys = writeTestKeys(join(dir, 'keys'));
  const replicas = { books: 1, web: 1, ...options.replicas };
  const backends: Record<string, Backend[]> = {};
  for (const [route, count] of Object.entries(replicas)) {
    backends[route] = await Promise.all(Array.from({ length: count }, (_, i) => startBackend(`${route}-${i}`)));
  }
  const addresses = Object.fromEntries(
    Object.entries(backends).map(([route, list]) => [
      route,
      [...list.map((b) => b.address), ...(options.deadAddresses?.[route] ?? [])],
    ]),
  );
  const base = await localGatewayOptions({
    dir: join(dir, 'gateway'),
    addresses,
    hs256KeyFile: keys.hs256File,
    rs256PublicKeyFile: keys.rsaPublicFile,
    metrics: options.metrics ?? false,
  });
  const rendered = options.overrides ? options.overrides(base) : base;
  const gateway = await startLocalGateway({ options: rendered });
  return {
    dir,
    keys,
    backends,
    gateway,
    async stop() {
      await gateway.stop();
      await Promise.all(
        Object.values(backends)
          .flat()
          .map((b) => b.close()),
      );
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A valid HS256 token for writes (scope books:write, the default issuer and audience), signed with the fixture's key. */
export function writeToken(fixture: Fixture): Promise<string> {
  return mintToken({
    alg: 'HS256',
    key: fixture.keys.hs256,
    sub: 'alice',
    scope: 'books:write',
    issuer: 'books-platform',
    audience: 'books-api',
    ttlSeconds: 300,
  });
}

export interface LogEntry {
  readonly [field: string]: unknown;
  readonly status: number;
  readonly method: string;
  readonly path: string;
  readonly upstream_addr: string;
}

/** The gateway's access log as parsed JSON, once `ready` holds (lines are buffered up to flushSeconds). */
export async function logEntries(gateway: LocalGateway, ready: (entries: LogEntry[]) => boolean): Promise<LogEntry[]> {
  const parse = () => gateway.accessLogLines().map((line) => JSON.parse(line) as LogEntry);
  await waitFor(
    async () => ready(parse()),
    5_000,
    () => `expected access log lines never came:\n${gateway.accessLogLines().join('\n')}`,
  );
  return parse();
}

/** Every request any backend of the fixture received. */
export function allRequests(fixture: Fixture): RecordedRequest[] {
  return Object.values(fixture.backends)
    .flat()
    .flatMap((b) => b.requests);
}

/** A one-day self-signed certificate for `subject` in `dir` (tls.crt, tls.key), with openssl as operators would. */
export function selfSignedCertificate(
  dir: string,
  subject: string,
  extraArgs: readonly string[] = [],
): { certificateFile: string; keyFile: string } {
  const certificateFile = join(dir, 'tls.crt');
  const keyFile = join(dir, 'tls.key');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', subject, ...extraArgs].concat([
      '-keyout',
      keyFile,
      '-out',
      certificateFile,
    ]),
    { stdio: 'ignore' },
  );
  return { certificateFile, keyFile };
}
