import { loadConfig } from './config';
import { startService } from './service';

/** Process entry: configuration from the environment, graceful shutdown on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  const config = loadConfig();
  const service = await startService(config);
  const log = service.app.log;

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down: draining in-flight requests');
    const deadline = setTimeout(() => {
      log.error({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown deadline passed with requests still in flight');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    deadline.unref();
    try {
      await service.close();
      log.info('shutdown complete');
      process.exit(0);
    } catch (error) {
      log.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  // Configuration errors and a port that cannot be bound end here; the database being down does not.
  process.stderr.write(`${JSON.stringify({ level: 60, msg: 'startup failed', err: String(error) })}\n`);
  process.exit(1);
});
