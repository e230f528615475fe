import pg from 'pg';
import { DatabaseUnavailableError } from './errors';

export interface PoolSettings {
  databaseUrl: string | undefined;
  poolMax: number;
}

/**
 * One pool per process. Without DATABASE_URL, `pg` reads libpq's PG* variables itself. Timeouts keep a request
 * from hanging on a database that is gone: it fails fast with 503 instead.
 */
export function createPool(settings: PoolSettings, log: { warn(details: object, message: string): void }): pg.Pool {
  const pool = new pg.Pool({
    ...(settings.databaseUrl ? { connectionString: settings.databaseUrl } : {}),
    max: settings.poolMax,
    connectionTimeoutMillis: 3000,
    idleTimeoutMillis: 30000,
    statement_timeout: 15000,
    application_name: 'books',
  });
  // An idle client losing its connection (database restart, network cut) is reported here; without a listener
  // the process would crash. The pool drops that client and opens a new one on demand.
  pool.on('error', (error) => log.warn({ err: error }, 'idle database connection lost'));
  return pool;
}

/** SQLSTATE classes meaning "the database cannot serve now": connection exception, insufficient resources, operator intervention. */
const UNAVAILABLE_SQLSTATE_CLASSES = ['08', '53', '57'];

/**
 * Errors from a pg call are either DatabaseError (the server answered with a SQLSTATE) or plain errors for
 * connection-level failures (refused, reset, timed out, terminated), which `pg` raises without a SQLSTATE.
 */
export function isUnavailability(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) {
    return UNAVAILABLE_SQLSTATE_CLASSES.includes((error.code ?? '').slice(0, 2));
  }
  return error instanceof Error;
}

/** Runs a database call, turning connection-level failures into DatabaseUnavailableError (→ 503). */
export async function guarded<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isUnavailability(error)) throw new DatabaseUnavailableError(error);
    throw error;
  }
}
