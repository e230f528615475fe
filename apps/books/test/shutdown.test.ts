import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import pg from 'pg';
import { sharedPostgres } from './support/shared-postgres';
import { NODE_24, spawnServer, type ChildServer } from './support/child-server';
import { apiClient, eventually, waitReady } from './support/service';

function patchBook(port: number, id: string, body: object): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(body);
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        method: 'PATCH',
        path: `/books/${id}`,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'x-authenticated-user': 'sigterm-test',
          'content-length': Buffer.byteLength(payload),
        },
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'));
  });
}

describe('the server process (Node 24 child process)', function () {
  let server: ChildServer | undefined;

  afterEach(async function () {
    if (server && server.process.exitCode === null && server.process.signalCode === null)
      server.process.kill('SIGKILL');
    server = undefined;
  });

  it('runs on Node 24', function () {
    assert.match(execFileSync(NODE_24, ['--version']).toString(), /^v24\./);
  });

  it('SIGTERM: refuses new connections, finishes the in-flight PATCH with 200, closes the pool, exits 0', async function () {
    const databaseUrl = await (await sharedPostgres()).createDatabase('books_sigterm');
    server = await spawnServer({ DATABASE_URL: databaseUrl });
    const api = apiClient(server.url);
    await waitReady(api);
    const book = (await api('POST', '/books', { body: { title: 'Before', author: 'A' }, user: 'u' })).body;

    const locker = new pg.Client({ connectionString: databaseUrl });
    await locker.connect();
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM books WHERE id = $1 FOR UPDATE', [book.id]);

      let patchDone = false;
      const patch = patchBook(server.port, book.id, { title: 'After' }).finally(() => (patchDone = true));
      await eventually(
        async () =>
          (
            await locker.query(
              "SELECT 1 FROM pg_stat_activity WHERE application_name = 'books' AND wait_event_type = 'Lock'",
            )
          ).rowCount === 1,
        10000,
        'the PATCH to wait on the row lock',
      );

      server.process.kill('SIGTERM');
      await server.logged('shutting down: draining in-flight requests');
      await eventually(() => connectionRefused(server!.port), 5000, 'new connections to be refused');
      assert.equal(patchDone, false, 'the PATCH is still in flight');
      assert.equal(server.process.exitCode, null, 'the process waits for it');

      await locker.query('COMMIT');
      const result = await patch;
      assert.equal(result.status, 200);
      assert.equal(result.body.title, 'After');
      assert.deepEqual(await server.exited, { code: 0, signal: null });
      assert.ok(server.logs.some((entry) => entry.msg === 'shutdown complete'));
    } finally {
      await locker.end();
    }
    const check = new pg.Client({ connectionString: databaseUrl });
    await check.connect();
    try {
      const { rows } = await check.query('SELECT title, updated_by FROM books WHERE id = $1', [book.id]);
      assert.deepEqual(rows[0], { title: 'After', updated_by: 'sigterm-test' });
      const sessions = await check.query(
        "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'books'",
      );
      assert.equal(sessions.rows[0].n, 0, 'the pool closed its connections');
    } finally {
      await check.end();
    }
  });

  it('with no database reachable it stays up (healthz 200, readyz 503, retrying) and still exits 0 on SIGTERM', async function () {
    server = await spawnServer({ DATABASE_URL: 'postgres://books:unused@127.0.0.1:1/books' });
    const api = apiClient(server.url);
    assert.equal((await api('GET', '/healthz')).status, 200);
    await eventually(
      async () => server!.logs.filter((entry) => entry.msg === 'database not ready; retrying').length >= 3,
      10000,
      'three failed attempts',
    );
    assert.equal(server.process.exitCode, null);
    const ready = await api('GET', '/readyz');
    assert.equal(ready.status, 503);
    assert.equal(ready.body.details.database, 'down');
    assert.equal((await api('GET', '/books')).status, 503);
    server.process.kill('SIGTERM');
    assert.deepEqual(await server.exited, { code: 0, signal: null });
  });

  it('connects with libpq PG* variables when DATABASE_URL is unset', async function () {
    const url = new URL(await (await sharedPostgres()).createDatabase('books_pgenv'));
    server = await spawnServer({
      PGHOST: url.hostname,
      PGPORT: url.port,
      PGUSER: decodeURIComponent(url.username),
      PGPASSWORD: decodeURIComponent(url.password),
      PGDATABASE: url.pathname.slice(1),
    });
    const api = apiClient(server.url);
    await waitReady(api);
    assert.equal((await api('POST', '/books', { body: { title: 'Via PG*', author: 'libpq' }, user: 'u' })).status, 201);
    server.process.kill('SIGTERM');
    assert.deepEqual(await server.exited, { code: 0, signal: null });
  });

  it('refuses to start with invalid configuration (exit 1, JSON error)', async function () {
    await assert.rejects(spawnServer({ PORT: 'eighty' }), /PORT must be an integer/);
  });
});
