import assert from 'node:assert/strict';
import pg from 'pg';
import { migrate } from '../src/migrate';
import { MIGRATIONS } from '../src/migrations';
import { sharedPostgres } from './support/shared-postgres';
import { apiClient, startTestService, waitReady } from './support/service';

describe('schema migrations', function () {
  it('two replicas starting at the same moment on one empty database both get ready; the schema is applied once', async function () {
    const databaseUrl = await (await sharedPostgres()).createDatabase('books_race');
    const replicas = await Promise.all([startTestService(databaseUrl), startTestService(databaseUrl)]);
    try {
      await Promise.all(replicas.map((replica) => replica.prepared));
      for (const replica of replicas) await waitReady(apiClient(replica.url));

      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ id: string; count: number }>(
          'SELECT id, count(*)::int AS count FROM books_schema_migrations GROUP BY id ORDER BY id',
        );
        assert.deepEqual(
          rows,
          MIGRATIONS.map((migration) => ({ id: migration.id, count: 1 })),
        );
      } finally {
        await client.end();
      }

      // Both replicas serve the one table.
      const created = await apiClient(replicas[0]!.url)('POST', '/books', {
        body: { title: 'Shared', author: 'Both' },
        user: 'u1',
      });
      assert.equal(created.status, 201);
      assert.equal((await apiClient(replicas[1]!.url)('GET', `/books/${created.body.id}`)).status, 200);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });

  it('many concurrent migrators: exactly one applies each migration, the rest find nothing to do', async function () {
    const databaseUrl = await (await sharedPostgres()).createDatabase('books_migrators');
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 8 });
    try {
      const results = await Promise.all(Array.from({ length: 6 }, () => migrate(pool, MIGRATIONS)));
      const applied = results.flat().sort();
      assert.deepEqual(applied, MIGRATIONS.map((migration) => migration.id).sort());
      assert.equal(results.filter((ids) => ids.length === 0).length, 5);
      assert.deepEqual(await migrate(pool, MIGRATIONS), []);
    } finally {
      await pool.end();
    }
  });

  it('a failing migration is rolled back entirely and not recorded', async function () {
    const databaseUrl = await (await sharedPostgres()).createDatabase('books_migration_failure');
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    try {
      const broken = [
        ...MIGRATIONS,
        { id: '9999_broken', sql: 'CREATE TABLE half_done (id int); SELECT no_such_function();' },
      ];
      await assert.rejects(migrate(pool, broken), /no_such_function/);
      const { rows } = await pool.query<{ tables: string[]; ids: string[] }>(
        `SELECT (SELECT array_agg(tablename::text) FROM pg_tables WHERE tablename = 'half_done') AS tables,
                (SELECT array_agg(id ORDER BY id) FROM books_schema_migrations) AS ids`,
      );
      assert.equal(rows[0]!.tables, null);
      assert.deepEqual(
        rows[0]!.ids,
        MIGRATIONS.map((migration) => migration.id),
      );
      // The advisory lock was released: a later run is not blocked.
      assert.deepEqual(await migrate(pool, MIGRATIONS), []);
    } finally {
      await pool.end();
    }
  });
});
