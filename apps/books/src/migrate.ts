import type { Pool } from 'pg';
import type { Migration } from './migrations';

/*
 * A small forward-only migrator instead of node-pg-migrate: node-pg-migrate 9 is ESM-only (this service compiles
 * to CommonJS), loads migration files from a directory at run time and brings yargs, glob and jiti into an image
 * with a 25 MB budget. What the service needs is what this file does: a session advisory lock so replicas starting
 * together migrate one at a time, a table of applied ids, and each migration in its own transaction.
 */

/** Arbitrary constant that identifies "books schema migrations" among advisory locks in a shared database. */
const MIGRATION_LOCK_KEY = 4_242_000_001;
const MIGRATIONS_TABLE = 'books_schema_migrations';

/** Applies the pending migrations in order; returns the ids applied by this call (empty when up to date). */
export async function migrate(pool: Pool, migrations: readonly Migration[]): Promise<string[]> {
  const client = await pool.connect();
  let connectionBroken: Error | undefined;
  try {
    // Blocks while another replica migrates; released on unlock or when the session ends.
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
      );
      const { rows } = await client.query<{ id: string }>(`SELECT id FROM ${MIGRATIONS_TABLE}`);
      const done = new Set(rows.map((row) => row.id));
      const applied: string[] = [];
      for (const migration of migrations) {
        if (done.has(migration.id)) continue;
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query(`INSERT INTO ${MIGRATIONS_TABLE} (id) VALUES ($1)`, [migration.id]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        }
        applied.push(migration.id);
      }
      return applied;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } catch (error) {
    connectionBroken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    // A client whose query failed may be mid-transaction or disconnected: destroy it rather than reuse it.
    client.release(connectionBroken);
  }
}
