import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { isValidIsbn } from '../src/isbn';
import { loadSampleCatalogue, SAMPLE_BOOKS, SAMPLE_LOADER_USER } from '../src/sample';
import { NODE_24 } from './support/child-server';
import { sharedPostgres } from './support/shared-postgres';
import { apiClient, startTestService, waitReady } from './support/service';

describe('sample catalogue (BOOKS_LOAD_SAMPLE and npm run seed)', function () {
  it('has about ten real books with valid, distinct ISBN-13s', function () {
    assert.ok(SAMPLE_BOOKS.length >= 10);
    assert.ok(SAMPLE_BOOKS.every((book) => /^97[89][0-9]{10}$/.test(book.isbn) && isValidIsbn(book.isbn)));
    assert.equal(new Set(SAMPLE_BOOKS.map((book) => book.isbn)).size, SAMPLE_BOOKS.length);
  });

  it('loads once at startup and never duplicates: restarts, the seed script, a deleted sample book put back once', async function () {
    const databaseUrl = await (await sharedPostgres()).createDatabase('books_sample');

    const first = await startTestService(databaseUrl, { loadSample: true });
    const api = apiClient(first.url);
    await waitReady(api);
    const listed = (await api('GET', '/books?limit=100')).body;
    assert.equal(listed.total, SAMPLE_BOOKS.length);
    assert.ok(listed.items.every((book: { createdBy: string }) => book.createdBy === SAMPLE_LOADER_USER));
    const dune = listed.items.find((book: { title: string }) => book.title === 'Dune');
    assert.equal(dune.isbn, '9780441172719');
    await first.close();

    const second = await startTestService(databaseUrl, { loadSample: true });
    await waitReady(apiClient(second.url));
    assert.equal((await apiClient(second.url)('GET', '/books')).body.total, SAMPLE_BOOKS.length);
    await second.close();

    // The CLI behind `npm run seed` (run from source here; the npm script builds first).
    const seed = await promisify(execFile)(NODE_24, ['-r', 'ts-node/register/transpile-only', 'src/seed.ts'], {
      cwd: join(__dirname, '..'),
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: databaseUrl },
    });
    const summary = seed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .find((entry) => entry.msg === 'sample catalogue loaded');
    assert.deepEqual([summary.added, summary.alreadyPresent], [0, SAMPLE_BOOKS.length]);

    const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    try {
      await pool.query("DELETE FROM books WHERE isbn = '9780441172719'");
      assert.equal(await loadSampleCatalogue(pool), 1, 'a missing sample book is put back');
      assert.equal(await loadSampleCatalogue(pool), 0);
      const { rows } = await pool.query('SELECT count(*)::int AS n FROM books');
      assert.equal(rows[0].n, SAMPLE_BOOKS.length);
    } finally {
      await pool.end();
    }
  });

  it('concurrent loads from two replicas add each book once', async function () {
    const databaseUrl = await (await sharedPostgres()).createDatabase('books_sample_race');
    const replicas = await Promise.all([
      startTestService(databaseUrl, { loadSample: true }),
      startTestService(databaseUrl, { loadSample: true }),
    ]);
    try {
      await Promise.all(replicas.map((replica) => replica.prepared));
      assert.equal((await apiClient(replicas[0]!.url)('GET', '/books')).body.total, SAMPLE_BOOKS.length);
    } finally {
      await Promise.all(replicas.map((replica) => replica.close()));
    }
  });
});
