import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { CONTRACT_FILES, staleContractFiles } from '../scripts/contract';
import { bookBodySchema } from '../src/schemas';
import { suiteService } from './support/suite';

describe('books API contract (OpenAPI)', function () {
  const suite = suiteService();

  it('the checked-in OpenAPI document and the web app types match the routes (npm run contract -w apps/books)', async function () {
    assert.deepEqual(await staleContractFiles(), []);
  });

  it('serves that document at /books/openapi.json, built from the schemas that validate requests', async function () {
    const response = await suite.api('GET', '/books/openapi.json');
    assert.equal(response.status, 200);
    assert.deepEqual(response.body, JSON.parse(await readFile(CONTRACT_FILES.document, 'utf8')));
    assert.deepEqual(Object.keys(response.body.paths), ['/books', '/books/{id}']);
    const body = response.body.paths['/books'].post.requestBody.content['application/json'].schema;
    assert.deepEqual(body.required, bookBodySchema.required);
    assert.deepEqual(Object.keys(body.properties), Object.keys(bookBodySchema.properties));
  });

  it('serves a human-readable page at /books/docs/', async function () {
    const response = await suite.api('GET', '/books/docs/');
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(String(response.body), /swagger-ui/i);
  });

  it('an unknown path under /books is a JSON 404', async function () {
    const response = await suite.api('GET', '/books/docs-that-do-not-exist/x');
    assert.equal(response.status, 404);
    assert.equal(response.body.error, 'not_found');
  });
});
