import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import type { Pool } from 'pg';
import type { Config } from './config';
import { createPool } from './database';
import { createHttpApp, type HttpOptions } from './http';
import { registerMetrics } from './metrics';
import { migrate } from './migrate';
import { registerOpenApi } from './openapi';
import { MIGRATIONS } from './migrations';
import { registerBookRoutes, registerOperationalRoutes, type ServiceState } from './routes';
import { loadSampleCatalogue } from './sample';

/** A running books service: HTTP listener, pool, and the background database preparation. */
export interface Service {
  app: FastifyInstance;
  pool: Pool;
  state: ServiceState;
  /** http://host:port as actually bound (useful with PORT=0). */
  url: string;
  /** Resolves once migrations (and the opt-in sample load) are done. */
  prepared: Promise<void>;
  /** Stops accepting, drains in-flight requests, closes the pool. */
  close(): Promise<void>;
}

export type ServiceConfig = Pick<Config, 'port' | 'host' | 'databaseUrl' | 'loadSample' | 'poolMax'> &
  Pick<HttpOptions, 'logLevel' | 'logStream'>;

const RETRY_INITIAL_MS = 250;
const RETRY_MAX_MS = 4000;

/**
 * Retries until the database is prepared or the service stops: the process stays up (healthz answers, readyz
 * says not ready) while the database is unreachable, instead of crash-looping.
 */
async function prepareDatabase(
  service: Omit<Service, 'prepared' | 'close' | 'url'>,
  config: ServiceConfig,
  stop: AbortSignal,
) {
  for (let attempt = 1; ; attempt++) {
    try {
      const applied = await migrate(service.pool, MIGRATIONS);
      const sampleAdded = config.loadSample ? await loadSampleCatalogue(service.pool) : 0;
      service.state.schemaReady = true;
      service.app.log.info({ migrationsApplied: applied, sampleBooksAdded: sampleAdded }, 'database prepared');
      return;
    } catch (error) {
      const delayMs = Math.min(RETRY_MAX_MS, RETRY_INITIAL_MS * 2 ** (attempt - 1));
      service.app.log.warn({ err: error, attempt, retryInMs: delayMs }, 'database not ready; retrying');
      try {
        await sleep(delayMs, undefined, { signal: stop });
      } catch {
        return; // shutting down
      }
    }
  }
}

export async function startService(config: ServiceConfig): Promise<Service> {
  const app = createHttpApp({
    logLevel: config.logLevel,
    ...(config.logStream ? { logStream: config.logStream } : {}),
  });
  const pool = createPool(config, app.log);
  const state: ServiceState = { schemaReady: false, shuttingDown: false };

  await registerOpenApi(app);
  registerOperationalRoutes(app, pool, state, registerMetrics(app, pool));
  registerBookRoutes(app, pool, state);
  const url = await app.listen({ port: config.port, host: config.host });

  const stopPreparing = new AbortController();
  const prepared = prepareDatabase({ app, pool, state }, config, stopPreparing.signal);

  return {
    app,
    pool,
    state,
    url,
    prepared,
    async close() {
      state.shuttingDown = true;
      stopPreparing.abort();
      await app.close(); // stops listening, waits for in-flight requests
      await prepared;
      await pool.end();
    },
  };
}
