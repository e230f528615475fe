import pino from 'pino';
import { createPool } from './database';
import { migrate } from './migrate';
import { MIGRATIONS } from './migrations';
import { loadSampleCatalogue, SAMPLE_BOOKS } from './sample';

/** `npm run seed`: migrate, then add the sample books that are missing. Same env as the server. */
async function main(): Promise<void> {
  const log = pino({ name: 'books-seed' });
  const pool = createPool({ databaseUrl: process.env.DATABASE_URL || undefined, poolMax: 2 }, log);
  try {
    await migrate(pool, MIGRATIONS);
    const added = await loadSampleCatalogue(pool);
    log.info({ added, alreadyPresent: SAMPLE_BOOKS.length - added }, 'sample catalogue loaded');
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${JSON.stringify({ level: 60, msg: 'seed failed', err: String(error) })}\n`);
  process.exit(1);
});
