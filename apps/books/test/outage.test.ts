import assert from 'node:assert/strict';
import type { Service } from '../src/service';
import { sharedPostgres } from './support/shared-postgres';
import { apiClient, eventually, startTestService, waitReady } from './support/service';
import type { TestPostgres } from './support/postgres';

/*
 * The services run in this mocha process: an unhandled pool 'error' event or a rejected promise while the
 * database is gone would crash the test run itself, so "still answering" here also means "did not exit".
 */
describe('database outage and recovery', function () {
  let postgres: TestPostgres;
  let databaseUrl: string;
  const services: Service[] = [];

  before(async function () {
    postgres = await sharedPostgres();
    databaseUrl = await postgres.createDatabase('books_outage');
  });

  after(async function () {
    await postgres.start(); // no-op unless the test failed mid-outage
    await Promise.all(services.map((service) => service.close()));
  });

  it('answers 503 and not-ready while the database is down, keeps running, and recovers by itself', async function () {
    const running = await startTestService(databaseUrl);
    services.push(running);
    const api = apiClient(running.url);
    await waitReady(api);
    const book = (await api('POST', '/books', { body: { title: 'Survivor', author: 'S' }, user: 'u' })).body;

    await postgres.stop();

    const read = await api('GET', `/books/${book.id}`);
    assert.equal(read.status, 503);
    assert.equal(read.body.error, 'database_unavailable');
    assert.equal(typeof read.body.message, 'string');
    const write = await api('POST', '/books', { body: { title: 'Lost?', author: 'L' }, user: 'u' });
    assert.equal(write.status, 503);
    assert.equal((await api('GET', '/books')).status, 503);
    const ready = await api('GET', '/readyz');
    assert.equal(ready.status, 503);
    assert.equal(ready.body.error, 'not_ready');
    assert.equal(ready.body.details.database, 'down');
    assert.equal((await api('GET', '/healthz')).status, 200, 'liveness is unaffected');

    // A replica starting during the outage waits for the database instead of crashing.
    const starting = await startTestService(databaseUrl);
    services.push(starting);
    const startingApi = apiClient(starting.url);
    assert.equal((await startingApi('GET', '/healthz')).status, 200);
    const notReady = await startingApi('GET', '/readyz');
    assert.equal(notReady.status, 503);
    assert.equal(notReady.body.details.schemaReady, false);
    const early = await startingApi('GET', '/books');
    assert.equal(early.status, 503);
    assert.equal(early.body.error, 'not_ready');
    await new Promise((resolve) => setTimeout(resolve, 600)); // a few failed attempts of its retry loop
    assert.equal((await startingApi('GET', '/readyz')).status, 503);

    await postgres.start();

    await waitReady(api);
    const after = await api('POST', '/books', { body: { title: 'Back again', author: 'B' }, user: 'u' });
    assert.equal(after.status, 201);
    assert.equal((await api('GET', `/books/${book.id}`)).body.title, 'Survivor');

    await waitReady(startingApi);
    assert.equal((await startingApi('GET', `/books/${after.body.id}`)).status, 200);
    await eventually(async () => (await startingApi('GET', '/books')).body.total === 2, 5000, 'both books listed');
  });
});
