import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { BODY_LIMIT_BYTES } from '../src/http';
import type { Service } from '../src/service';
import { sharedPostgres } from './support/shared-postgres';
import { apiClient, startTestService, waitReady, type Api } from './support/service';

const USER = 'alice@example.org';
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

describe('books API (real PostgreSQL)', function () {
  let service: Service;
  let api: Api;

  before(async function () {
    const postgres = await sharedPostgres();
    service = await startTestService(await postgres.createDatabase());
    api = apiClient(service.url);
    await waitReady(api);
  });

  after(async () => service?.close());

  async function create(fields: Record<string, unknown>, user = USER) {
    const response = await api('POST', '/books', { body: fields, user });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body;
  }

  describe('CRUD', function () {
    it('creates a book, normalising the ISBN to ISBN-13 and recording who and when', async function () {
      const response = await api('POST', '/books', {
        body: { title: 'Dune', author: 'Frank Herbert', year: 1965, isbn: '0-441-17271-7' },
        user: USER,
      });
      assert.equal(response.status, 201);
      const book = response.body;
      assert.match(book.id, /^[0-9a-f-]{36}$/);
      assert.equal(response.headers.get('location'), `/books/${book.id}`);
      assert.deepEqual(
        { title: book.title, author: book.author, year: book.year, isbn: book.isbn },
        { title: 'Dune', author: 'Frank Herbert', year: 1965, isbn: '9780441172719' },
      );
      assert.equal(book.createdBy, USER);
      assert.equal(book.updatedBy, USER);
      assert.ok(!Number.isNaN(Date.parse(book.createdAt)));
      assert.equal(book.createdAt, book.updatedAt);
    });

    it('reads it back by id', async function () {
      const created = await create({ title: 'Read me', author: 'A. Reader' });
      const response = await api('GET', `/books/${created.id}`);
      assert.equal(response.status, 200);
      assert.deepEqual(response.body, created);
      assert.equal(response.body.year, null);
      assert.equal(response.body.isbn, null);
    });

    it('replaces with PUT (omitted optional fields become null) and records the updater', async function () {
      const created = await create({ title: 'Old', author: 'Someone', year: 2000, isbn: '978-0-13-110362-7' });
      const response = await api('PUT', `/books/${created.id}`, {
        body: { title: 'New', author: 'Someone Else' },
        user: 'bob',
      });
      assert.equal(response.status, 200);
      assert.equal(response.body.title, 'New');
      assert.equal(response.body.author, 'Someone Else');
      assert.equal(response.body.year, null);
      assert.equal(response.body.isbn, null);
      assert.equal(response.body.createdBy, USER);
      assert.equal(response.body.updatedBy, 'bob');
      assert.ok(Date.parse(response.body.updatedAt) > Date.parse(created.updatedAt));
    });

    it('patches only the given fields; null clears an optional field; merge-patch content type accepted', async function () {
      const created = await create({ title: 'Patch me', author: 'P. Atcher', year: 1999, isbn: '9780201633610' });
      const patched = await api('PATCH', `/books/${created.id}`, { body: { year: 2001 }, user: 'carol' });
      assert.equal(patched.status, 200);
      assert.deepEqual(
        [patched.body.title, patched.body.author, patched.body.year, patched.body.isbn, patched.body.updatedBy],
        ['Patch me', 'P. Atcher', 2001, '9780201633610', 'carol'],
      );
      const cleared = await api('PATCH', `/books/${created.id}`, {
        body: { isbn: null },
        user: 'carol',
        headers: { 'content-type': 'application/merge-patch+json' },
      });
      assert.equal(cleared.status, 200);
      assert.equal(cleared.body.isbn, null);
      assert.equal(cleared.body.year, 2001);
    });

    it('accepts JSON with a charset parameter and non-ASCII text', async function () {
      const response = await api('POST', '/books', {
        body: { title: 'Der Zauberberg — Roman', author: 'Thomas Mann' },
        user: USER,
        headers: { 'content-type': 'application/json; charset=utf-8' },
      });
      assert.equal(response.status, 201);
      assert.equal((await api('GET', `/books/${response.body.id}`)).body.title, 'Der Zauberberg — Roman');
    });

    it('deletes; the book is gone afterwards', async function () {
      const created = await create({ title: 'Delete me', author: 'D. Eleter' });
      const deleted = await api('DELETE', `/books/${created.id}`, { user: USER });
      assert.equal(deleted.status, 204);
      assert.equal(deleted.body, '');
      assert.equal((await api('GET', `/books/${created.id}`)).status, 404);
      assert.equal((await api('DELETE', `/books/${created.id}`, { user: USER })).status, 404);
    });
  });

  describe('404, 409, 401', function () {
    for (const [method, body] of [
      ['GET', undefined],
      ['PUT', { title: 'T', author: 'A' }],
      ['PATCH', { title: 'T' }],
      ['DELETE', undefined],
    ] as const) {
      it(`${method} on an unknown id answers 404 JSON`, async function () {
        const response = await api(method, `/books/${MISSING_ID}`, { user: USER, ...(body ? { body } : {}) });
        assert.equal(response.status, 404);
        assert.deepEqual(response.body, {
          error: 'not_found',
          message: `No book with id ${MISSING_ID}.`,
          details: { id: MISSING_ID },
        });
      });
    }

    it('a duplicate ISBN answers 409, also when given as the equivalent ISBN-10 or on update', async function () {
      await create({ title: 'SICP', author: 'Abelson, Sussman', isbn: '9780262510875' });
      const again = await api('POST', '/books', {
        body: { title: 'SICP copy', author: 'X', isbn: '0-262-51087-1' },
        user: USER,
      });
      assert.equal(again.status, 409);
      assert.deepEqual(again.body.details, { field: 'isbn', isbn: '9780262510875' });
      assert.equal(again.body.error, 'conflict');
      const other = await create({ title: 'Other', author: 'Y' });
      const patch = await api('PATCH', `/books/${other.id}`, { body: { isbn: '978-0-262-51087-5' }, user: USER });
      assert.equal(patch.status, 409);
    });

    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE'] as const) {
      for (const [label, user] of [
        ['missing', undefined],
        ['empty', ''],
        ['with spaces', 'alice smith'],
        ['overlong', 'u'.repeat(129)],
      ] as const) {
        it(`${method} with the identity header ${label} answers 401 JSON and writes nothing`, async function () {
          const path = method === 'POST' ? '/books' : `/books/${MISSING_ID}`;
          const before = (await api('GET', '/books?limit=1')).body.total;
          const response = await api(method, path, {
            body: { title: 'Nope', author: 'Nobody' },
            ...(user === undefined ? {} : { user }),
          });
          assert.equal(response.status, 401);
          assert.equal(response.body.error, 'unauthenticated');
          assert.equal(typeof response.body.message, 'string');
          assert.ok('details' in response.body);
          assert.equal((await api('GET', '/books?limit=1')).body.total, before);
        });
      }
    }

    it('reads need no identity', async function () {
      assert.equal((await api('GET', '/books')).status, 200);
    });
  });

  describe('list: pagination, order, search', function () {
    let listService: Service;
    let list: Api;

    before(async function () {
      // A separate database so totals are exact.
      listService = await startTestService(await (await sharedPostgres()).createDatabase('books_list'));
      list = apiClient(listService.url);
      await waitReady(list);
      for (let i = 0; i < 25; i++) {
        const response = await list('POST', '/books', {
          body: {
            title: `Volume ${String(i).padStart(2, '0')}`,
            author: i % 5 === 0 ? 'Ursula K. Le Guin' : 'Anon 100%_off',
          },
          user: USER,
        });
        assert.equal(response.status, 201);
      }
    });

    after(async () => listService?.close());

    it('defaults to 20 items in creation order with total, limit and offset', async function () {
      const response = await list('GET', '/books');
      assert.equal(response.status, 200);
      assert.equal(response.body.total, 25);
      assert.equal(response.body.limit, 20);
      assert.equal(response.body.offset, 0);
      assert.equal(response.body.items.length, 20);
      assert.equal(response.body.items[0].title, 'Volume 00');
    });

    it('pages are stable and disjoint and cover everything exactly once', async function () {
      const seen: string[] = [];
      for (let offset = 0; offset < 25; offset += 7) {
        const page = await list('GET', `/books?limit=7&offset=${offset}`);
        assert.equal(page.status, 200);
        seen.push(...page.body.items.map((book: { id: string }) => book.id));
      }
      assert.equal(seen.length, 25);
      assert.equal(new Set(seen).size, 25);
      const again = await list('GET', '/books?limit=7&offset=7');
      assert.deepEqual(
        again.body.items.map((book: { id: string }) => book.id),
        seen.slice(7, 14),
      );
    });

    it('caps the page size at 100 (larger limits are rejected, not silently cut)', async function () {
      assert.equal((await list('GET', '/books?limit=100')).status, 200);
      const response = await list('GET', '/books?limit=101');
      assert.equal(response.status, 400);
      assert.equal(response.body.error, 'validation_failed');
    });

    it('an offset past the end gives an empty page with the right total', async function () {
      const response = await list('GET', '/books?offset=500');
      assert.deepEqual([response.body.items, response.body.total], [[], 25]);
    });

    it('sorts by title descending', async function () {
      const response = await list('GET', '/books?sort=title&order=desc&limit=3');
      assert.deepEqual(
        response.body.items.map((book: { title: string }) => book.title),
        ['Volume 24', 'Volume 23', 'Volume 22'],
      );
    });

    it('searches title and author, case-insensitively', async function () {
      const byAuthor = await list('GET', '/books?q=le%20GUIN');
      assert.equal(byAuthor.body.total, 5);
      const byTitle = await list('GET', '/books?q=volume%2007');
      assert.deepEqual(
        byTitle.body.items.map((book: { title: string }) => book.title),
        ['Volume 07'],
      );
    });

    it('treats % and _ in the search text literally', async function () {
      assert.equal((await list('GET', '/books?q=100%25_')).body.total, 20);
      assert.equal((await list('GET', '/books?q=%25')).body.total, 20);
      assert.equal((await list('GET', '/books?q=Volume_0')).body.total, 0);
    });
  });

  describe('every kind of bad input gets a 4xx JSON error, never a 5xx', function () {
    let existingId: string;
    before(async function () {
      existingId = (await create({ title: 'Target', author: 'T. Arget' })).id;
    });

    interface Case {
      name: string;
      method: string;
      path: string | (() => string);
      body?: unknown;
      rawBody?: string;
      headers?: Record<string, string>;
      status: number;
      error: string;
    }
    const byId = () => `/books/${existingId}`;
    const cases: Case[] = [
      {
        name: 'malformed JSON',
        method: 'POST',
        path: '/books',
        rawBody: '{"title": "x",',
        headers: { 'content-type': 'application/json' },
        status: 400,
        error: 'bad_request',
      },
      {
        name: 'empty JSON body',
        method: 'POST',
        path: '/books',
        rawBody: '',
        headers: { 'content-type': 'application/json' },
        status: 400,
        error: 'bad_request',
      },
      {
        name: 'JSON array instead of object',
        method: 'POST',
        path: '/books',
        body: [],
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'JSON null body',
        method: 'POST',
        path: '/books',
        rawBody: 'null',
        headers: { 'content-type': 'application/json' },
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'prototype poisoning',
        method: 'POST',
        path: '/books',
        rawBody: '{"title":"x","author":"y","__proto__":{"a":1}}',
        headers: { 'content-type': 'application/json' },
        status: 400,
        error: 'bad_request',
      },
      {
        name: 'missing required field',
        method: 'POST',
        path: '/books',
        body: { title: 'No author' },
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'title of wrong type',
        method: 'POST',
        path: '/books',
        body: { title: 42, author: 'A' },
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'year as a string (no coercion of bodies)',
        method: 'POST',
        path: '/books',
        body: { title: 'T', author: 'A', year: '1999' },
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'year not an integer',
        method: 'POST',
        path: '/books',
        body: { title: 'T', author: 'A', year: 1999.5 },
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'year out of range',
        method: 'POST',
        path: '/books',
        body: { title: 'T', author: 'A', year: 3000 },
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'unknown field',
        method: 'POST',
        path: '/books',
        body: { title: 'T', author: 'A', publisher: 'P' },
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'client-set id',
        method: 'POST',
        path: '/books',
        body: { id: MISSING_ID, title: 'T', author: 'A' },
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'client-set createdBy',
        method: 'PATCH',
        path: byId,
        body: { createdBy: 'mallory' },
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'empty title',
        method: 'POST',
        path: '/books',
        body: { title: '', author: 'A' },
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'blank title',
        method: 'POST',
        path: '/books',
        body: { title: '   ', author: 'A' },
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'overlong title',
        method: 'POST',
        path: '/books',
        body: { title: 't'.repeat(501), author: 'A' },
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'overlong author',
        method: 'PUT',
        path: byId,
        body: { title: 'T', author: 'a'.repeat(301) },
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'ISBN with a bad checksum',
        method: 'POST',
        path: '/books',
        body: { title: 'T', author: 'A', isbn: '978-0-441-17271-8' },
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'ISBN-10 with a bad checksum',
        method: 'POST',
        path: '/books',
        body: { title: 'T', author: 'A', isbn: '0-441-17271-8' },
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'ISBN with letters',
        method: 'POST',
        path: '/books',
        body: { title: 'T', author: 'A', isbn: 'ISBN 9780441172719' },
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'overlong ISBN',
        method: 'POST',
        path: '/books',
        body: { title: 'T', author: 'A', isbn: '9-7-8-0-4-4-1-1-7-2-7-1-9' },
        status: 400,
        error: 'validation_failed',
      },
      { name: 'empty PATCH', method: 'PATCH', path: byId, body: {}, status: 400, error: 'validation_failed' },
      {
        name: 'PATCH setting title to null',
        method: 'PATCH',
        path: byId,
        body: { title: null },
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'PUT missing author',
        method: 'PUT',
        path: byId,
        body: { title: 'T' },
        status: 400,
        error: 'validation_failed',
      },
      { name: 'bad id (not a UUID)', method: 'GET', path: '/books/42', status: 400, error: 'validation_failed' },
      {
        name: 'bad id with SQL',
        method: 'GET',
        path: "/books/1'%20OR%20'1'='1",
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'bad id on DELETE',
        method: 'DELETE',
        path: '/books/not-a-uuid',
        status: 400,
        error: 'validation_failed',
      },
      { name: 'limit not a number', method: 'GET', path: '/books?limit=ten', status: 400, error: 'validation_failed' },
      { name: 'limit zero', method: 'GET', path: '/books?limit=0', status: 400, error: 'validation_failed' },
      { name: 'negative offset', method: 'GET', path: '/books?offset=-1', status: 400, error: 'validation_failed' },
      {
        name: 'repeated limit',
        method: 'GET',
        path: '/books?limit=1&limit=2',
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'unknown query parameter',
        method: 'GET',
        path: '/books?colour=red',
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'unknown sort key',
        method: 'GET',
        path: '/books?sort=isbn;DROP%20TABLE%20books',
        status: 400,
        error: 'validation_failed',
      },
      {
        name: 'overlong search text',
        method: 'GET',
        path: `/books?q=${'q'.repeat(201)}`,
        status: 400,
        error: 'validation_failed',
      },
      { name: 'empty search text', method: 'GET', path: '/books?q=', status: 400, error: 'validation_failed' },
      {
        name: 'body over the limit',
        method: 'POST',
        path: '/books',
        rawBody: JSON.stringify({ title: 'x'.repeat(BODY_LIMIT_BYTES), author: 'A' }),
        headers: { 'content-type': 'application/json' },
        status: 413,
        error: 'payload_too_large',
      },
      {
        name: 'text/plain body',
        method: 'POST',
        path: '/books',
        rawBody: '{"title":"T","author":"A"}',
        headers: { 'content-type': 'text/plain' },
        status: 415,
        error: 'unsupported_media_type',
      },
      {
        name: 'form body',
        method: 'PATCH',
        path: byId,
        rawBody: 'title=T',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        status: 415,
        error: 'unsupported_media_type',
      },
      {
        name: 'body without content type',
        method: 'POST',
        path: '/books',
        rawBody: '{"title":"T","author":"A"}',
        headers: { 'content-type': '' },
        status: 415,
        error: 'unsupported_media_type',
      },
      { name: 'unknown route', method: 'GET', path: '/authors', status: 404, error: 'not_found' },
      {
        name: 'unknown nested route',
        method: 'GET',
        path: `/books/${MISSING_ID}/reviews`,
        status: 404,
        error: 'not_found',
      },
      {
        name: 'wrong method on the collection',
        method: 'DELETE',
        path: '/books',
        status: 405,
        error: 'method_not_allowed',
      },
      {
        name: 'wrong method on an item',
        method: 'POST',
        path: byId,
        body: { title: 'T', author: 'A' },
        status: 405,
        error: 'method_not_allowed',
      },
      { name: 'wrong method on /healthz', method: 'POST', path: '/healthz', status: 405, error: 'method_not_allowed' },
    ];

    for (const testCase of cases) {
      it(`${testCase.name}: ${testCase.status} ${testCase.error}`, async function () {
        const path = typeof testCase.path === 'function' ? testCase.path() : testCase.path;
        const response = await api(testCase.method, path, {
          user: USER,
          ...(testCase.body === undefined ? {} : { body: testCase.body }),
          ...(testCase.rawBody === undefined ? {} : { rawBody: testCase.rawBody }),
          ...(testCase.headers ? { headers: testCase.headers } : {}),
        });
        assert.equal(response.status, testCase.status, JSON.stringify(response.body));
        assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
        assert.equal(response.body.error, testCase.error);
        assert.equal(typeof response.body.message, 'string');
        assert.ok('details' in response.body, 'details present');
      });
    }

    for (const [name, rawRequest, status, error] of [
      ['a garbage request line', 'NOT HTTP AT ALL\r\n\r\n', 400, 'bad_request'],
      [
        'headers over the size limit',
        `GET /books HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20000)}\r\n\r\n`,
        431,
        'headers_too_large',
      ],
    ] as const) {
      it(`${name} (rejected by Node's HTTP parser): ${status} ${error} in the same JSON shape`, async function () {
        const { port } = new URL(service.url);
        const answer = await new Promise<string>((resolve, reject) => {
          const socket = connect(Number(port), '127.0.0.1', () => socket.end(rawRequest));
          let text = '';
          socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
          socket.on('close', () => resolve(text));
          socket.on('error', reject);
        });
        assert.match(answer, new RegExp(`^HTTP/1\\.1 ${status} `));
        assert.match(answer, /content-type: application\/json/i);
        const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4));
        assert.equal(body.error, error);
        assert.equal(typeof body.message, 'string');
        assert.ok('details' in body);
      });
    }

    it('validation errors list every problem with its location and path', async function () {
      const response = await api('POST', '/books', { body: { title: 7, year: 'x', extra: true }, user: USER });
      assert.equal(response.status, 400);
      const paths = response.body.details.map(
        (issue: { location: string; path: string }) => `${issue.location}:${issue.path}`,
      );
      for (const expected of ['body:/author', 'body:/title', 'body:/year', 'body:/extra']) {
        assert.ok(paths.includes(expected), `${expected} in ${paths.join(', ')}`);
      }
      const extra = response.body.details.find((issue: { path: string }) => issue.path === '/extra');
      assert.deepEqual([extra.keyword, extra.params], ['additionalProperties', { additionalProperty: 'extra' }]);
      const isbn = await api('POST', '/books', { body: { title: 'T', author: 'A', isbn: '123' }, user: USER });
      assert.deepEqual(isbn.body.details, [
        {
          location: 'body',
          path: '/isbn',
          keyword: 'format',
          message: 'must match format "isbn"',
          params: { format: 'isbn' },
        },
      ]);
    });

    it('405 answers carry an Allow header', async function () {
      const response = await api('DELETE', '/books', { user: USER });
      assert.equal(response.headers.get('allow'), 'GET, POST, HEAD');
    });

    it('the target book is unchanged after all that', async function () {
      const response = await api('GET', byId());
      assert.equal(response.body.title, 'Target');
      assert.equal(response.body.updatedAt, response.body.createdAt);
    });
  });
});
