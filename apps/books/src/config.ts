/** Runtime settings, read once from the environment (see README "Environment"). */
export interface Config {
  port: number;
  host: string;
  logLevel: string;
  /** When unset, `pg` falls back to libpq's PGHOST/PGPORT/PGUSER/PGDATABASE/PGPASSWORD. */
  databaseUrl: string | undefined;
  /** Connections per process (DB_POOL_MAX); replicas × this must stay under the server's max_connections. */
  poolMax: number;
  loadSample: boolean;
  /** Upper bound for draining in-flight requests after SIGTERM before exiting non-zero. */
  shutdownTimeoutMs: number;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function integerFrom(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`);
  }
  return value;
}

function booleanFrom(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = (env[name] ?? '').toLowerCase();
  if (raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new Error(`${name} must be true or false, got ${JSON.stringify(env[name])}`);
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(logLevel)}`);
  }
  return {
    port: integerFrom(env, 'PORT', 5000, 0, 65535),
    host: env.HOST || '0.0.0.0',
    logLevel,
    databaseUrl: env.DATABASE_URL || undefined,
    poolMax: integerFrom(env, 'DB_POOL_MAX', 10, 1, 1000),
    loadSample: booleanFrom(env, 'BOOKS_LOAD_SAMPLE'),
    shutdownTimeoutMs: integerFrom(env, 'SHUTDOWN_TIMEOUT_MS', 20000, 1000, 600000),
  };
}
