import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { call, errorBody, token } from './support';

describe('platform: validation errors pass through the gateway as 4xx JSON', () => {
  const cases: { name: string; method: string; path: string; body?: unknown; rawBody?: string; status: number }[] = [
    { name: 'a book without title and author', method: 'POST', path: '/books', body: { year: 1999 }, status: 400 },
    {
      name: 'an unknown field',
      method: 'POST',
      path: '/books',
      body: { title: 'T', author: 'A', price: 3 },
      status: 400,
    },
    {
      name: 'an invalid ISBN',
      method: 'POST',
      path: '/books',
      body: { title: 'T', author: 'A', isbn: '123' },
      status: 400,
    },
    { name: 'malformed JSON', method: 'POST', path: '/books', rawBody: '{"title": ', status: 400 },
    { name: 'an empty PATCH', method: 'PATCH', path: `/books/${randomUUID()}`, body: {}, status: 400 },
    { name: 'an id that is not a UUID', method: 'GET', path: '/books/not-a-uuid', status: 400 },
    { name: 'a page size over the limit', method: 'GET', path: '/books?limit=100000', status: 400 },
    { name: 'an unknown sort key', method: 'GET', path: '/books?sort=price', status: 400 },
    { name: 'a book that does not exist', method: 'GET', path: `/books/${randomUUID()}`, status: 404 },
    { name: 'an unknown path under /books', method: 'GET', path: `/books/${randomUUID()}/reviews`, status: 404 },
    { name: 'NUL in the search text', method: 'GET', path: '/books?q=a%00b', status: 400 },
    { name: 'NUL in a title', method: 'POST', path: '/books', body: { title: 'a\u0000b', author: 'A' }, status: 400 },
    {
      name: 'a lone surrogate in an author',
      method: 'POST',
      path: '/books',
      body: { title: 'T', author: '\ud800' },
      status: 400,
    },
    { name: 'an offset written as 1e3', method: 'GET', path: '/books?offset=1e3', status: 400 },
    {
      name: 'a repeated key',
      method: 'POST',
      path: '/books',
      rawBody: '{"title":"T","title":"U","author":"A"}',
      status: 400,
    },
    { name: 'deleting a book that does not exist', method: 'DELETE', path: `/books/${randomUUID()}`, status: 404 },
  ];

  for (const testCase of cases) {
    it(`${testCase.method} ${testCase.name} → ${testCase.status}`, async () => {
      const write = !['GET', 'HEAD'].includes(testCase.method);
      const reply = await call(testCase.method, testCase.path, {
        token: write ? await token() : undefined,
        body: testCase.body,
        rawBody: testCase.rawBody,
        headers: testCase.rawBody === undefined ? {} : { 'content-type': 'application/json' },
      });
      assert.equal(reply.status, testCase.status, reply.text);
      const body = errorBody(reply);
      assert.notEqual(body.message, '');
    });
  }

  it('?search= is a 400 that names q as the search parameter', async () => {
    const reply = await call('GET', '/books?search=dune');
    assert.equal(reply.status, 400, reply.text);
    assert.match(errorBody(reply).message, /"search".*\bq\b/);
  });

  it('a UTF-16 charset is 415 JSON', async () => {
    const reply = await call('POST', '/books', {
      token: await token(),
      rawBody: JSON.stringify({ title: 'T', author: 'A' }),
      headers: { 'content-type': 'application/json; charset=utf-16' },
    });
    assert.equal(reply.status, 415, reply.text);
    errorBody(reply);
  });

  it('answers a body over the size limit with 413 JSON', async () => {
    const reply = await call('POST', '/books', {
      token: await token(),
      body: { title: 'x'.repeat(2 * 1024 * 1024), author: 'A' },
    });
    assert.equal(reply.status, 413, reply.text.slice(0, 300));
    errorBody(reply);
  });
});
