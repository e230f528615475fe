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
/** 08P01 (protocol violation) is in class 08 but means a bug, not an outage. */
const PROTOCOL_VIOLATION = '08P01';
/** `pg` reports its own connection-level failures as plain Errors without a code; these are their messages. */
const PG_CONNECTION_FAILURE =
  /Connection terminated|timeout exceeded when trying to connect|not queryable|Query read timeout|Client was closed/;

/**
 * Whether an error from a pg call means "the database is unreachable" (→ 503) rather than a bug (→ 500): a
 * SQLSTATE of the classes above, a socket error (ECONNREFUSED, ECONNRESET, ETIMEDOUT, ENOTFOUND, …) or one of
 * pg's connection failures.
 */
export function isUnavailability(error: unknown): boolean {
  if (error instanceof pg.DatabaseError) {
    const code = error.code ?? '';
    return code !== PROTOCOL_VIOLATION && UNAVAILABLE_SQLSTATE_CLASSES.includes(code.slice(0, 2));
  }
  if (!(error instanceof Error)) return false;
  const code = (error as NodeJS.ErrnoException).code;
  return (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) || PG_CONNECTION_FAILURE.test(error.message);
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
