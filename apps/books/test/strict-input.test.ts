import assert from 'node:assert/strict';
import { bookBodySchema, listQuerySchema } from '../src/schemas';
import type { Api, ApiResponse } from './support/service';
import { suiteService } from './support/suite';

const USER = 'alice@example.org';

/** Characters PostgreSQL text (U+0000) or Unicode (unpaired surrogates) cannot carry; JSON.stringify escapes them. */
const UNSTORABLE = [
  { name: 'NUL', text: 'a\u0000b' },
  { name: 'lone high surrogate', text: 'a\ud800b' },
  { name: 'lone low surrogate', text: 'a\udc00b' },
  { name: 'surrogates in the wrong order', text: '\udc00\ud800' },
];

/** Every free-text field of a book, read from the schema that validates it (a new field is tested too). */
const TEXT_FIELDS = Object.entries(bookBodySchema.properties)
  .filter(([, schema]) => ([] as readonly string[]).concat(schema.type).includes('string'))
  .map(([name]) => name);

const VALID = { title: 'Valid title', author: 'Valid author', year: 1999, isbn: '9780306406157' };

function assertRefused(response: ApiResponse, status: number, error: string, path?: string): void {
  assert.equal(response.status, status, JSON.stringify(response.body));
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(response.body.error, error);
  assert.equal(typeof response.body.message, 'string');
  if (path !== undefined) {
    const paths = (response.body.details as { path: string }[]).map((issue) => issue.path);
    assert.ok(paths.includes(path), `${path} named in ${JSON.stringify(response.body.details)}`);
  }
}

describe('books API: input it cannot store faithfully is refused with 400, never a 5xx (real PostgreSQL)', function () {
  const suite = suiteService();
  const api: Api = (...args) => suite.api(...args);
  let targetId: string;

  before(async function () {
    const created = await api('POST', '/books', { body: { title: 'Target', author: 'T. Arget' }, user: USER });
    targetId = created.body.id;
  });

  it('the text fields under test are title, author and isbn', function () {
    assert.deepEqual(TEXT_FIELDS.sort(), ['author', 'isbn', 'title']);
  });

  for (const field of TEXT_FIELDS) {
    for (const { name, text } of UNSTORABLE) {
      for (const method of ['POST', 'PUT', 'PATCH'] as const) {
        it(`${method} with ${name} in ${field}: 400 naming body/${field}`, async function () {
          const path = method === 'POST' ? '/books' : `/books/${targetId}`;
          const body = method === 'PATCH' ? { [field]: text } : { ...VALID, [field]: text };
          assertRefused(await api(method, path, { body, user: USER }), 400, 'validation_failed', `/${field}`);
        });
      }
    }
  }

  it('the target book is unchanged, and nothing was created', async function () {
    const target = await api('GET', `/books/${targetId}`);
    assert.equal(target.body.title, 'Target');
    assert.equal(target.body.updatedAt, target.body.createdAt);
    assert.equal((await api('GET', '/books')).body.total, 1);
  });

  it('the error says what is wrong with the text', async function () {
    const response = await api('POST', '/books', { body: { title: 'a\u0000b', author: 'A' }, user: USER });
    assert.match(response.body.message, /title/);
    assert.match(response.body.details[0].message, /U\+0000/);
  });

  it('characters beyond the BMP (surrogate pairs) and other controls are stored exactly', async function () {
    const title = 'Emoji 😀 𝄞 tab\there é';
    const created = await api('POST', '/books', { body: { title, author: 'A' }, user: USER });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((await api('GET', `/books/${created.body.id}`)).body.title, title);
    await api('DELETE', `/books/${created.body.id}`, { user: USER });
  });

  for (const parameter of Object.keys(listQuerySchema.properties)) {
    it(`?${parameter}= with NUL: 400 naming querystring/${parameter}`, async function () {
      assertRefused(await api('GET', `/books?${parameter}=a%00b`), 400, 'validation_failed', `/${parameter}`);
    });
    it(`?${parameter}= with an encoded surrogate: 400 (not UTF-8)`, async function () {
      assertRefused(await api('GET', `/books?${parameter}=a%ED%A0%80b`), 400, 'invalid_encoding');
    });
  }

  describe('integers in the query are digits only', function () {
    for (const value of ['1e3', '1e1', '0x10', '1.0', '+5', '%207', '10%20']) {
      for (const parameter of ['limit', 'offset']) {
        it(`${parameter}=${value}: 400`, async function () {
          assertRefused(await api('GET', `/books?${parameter}=${value}`), 400, 'validation_failed', `/${parameter}`);
        });
      }
    }
    it('offset=1000 and limit=5 are fine', async function () {
      const response = await api('GET', '/books?offset=1000&limit=5');
      assert.equal(response.status, 200);
      assert.deepEqual([response.body.offset, response.body.limit], [1000, 5]);
    });
  });

  it('?search= says the search parameter is q', async function () {
    const response = await api('GET', '/books?search=dune');
    assertRefused(response, 400, 'validation_failed', '/search');
    assert.match(response.body.message, /"search"/);
    assert.match(response.body.message, /\bq\b/);
  });

  describe('JSON bodies are UTF-8, strictly', function () {
    const raw = JSON.stringify({ title: 'Charset', author: 'A' });
    for (const charset of ['utf-16', 'UTF-16LE', 'iso-8859-1', '"utf-32"', 'us-ascii']) {
      it(`Content-Type: application/json; charset=${charset}: 415`, async function () {
        const headers = { 'content-type': `application/json; charset=${charset}` };
        assertRefused(
          await api('POST', '/books', { rawBody: raw, headers, user: USER }),
          415,
          'unsupported_media_type',
        );
      });
    }
    for (const charset of ['utf-8', 'UTF-8', '"utf-8"']) {
      it(`Content-Type: application/json; charset=${charset}: accepted`, async function () {
        const headers = { 'content-type': `application/json; charset=${charset}` };
        const response = await api('POST', '/books', { rawBody: raw, headers, user: USER });
        assert.equal(response.status, 201, JSON.stringify(response.body));
        await api('DELETE', `/books/${response.body.id}`, { user: USER });
      });
    }
  });

  describe('duplicate keys are refused (JSON.parse would silently keep the last)', function () {
    for (const [name, rawBody] of [
      ['the same key twice', '{"title":"One","title":"Two","author":"A"}'],
      ['the same key, once escaped', '{"title":"One","\\u0074itle":"Two","author":"A"}'],
    ]) {
      it(`${name}: 400 duplicate_key naming the key`, async function () {
        const response = await api('POST', '/books', {
          rawBody,
          headers: { 'content-type': 'application/json' },
          user: USER,
        });
        assertRefused(response, 400, 'duplicate_key');
        assert.match(response.body.message, /"title"/);
      });
    }
    it('on PATCH too', async function () {
      const response = await api('PATCH', `/books/${targetId}`, {
        rawBody: '{"year":1,"year":2}',
        headers: { 'content-type': 'application/merge-patch+json' },
        user: USER,
      });
      assertRefused(response, 400, 'duplicate_key');
    });
    it('malformed JSON keeps its own error', async function () {
      const response = await api('POST', '/books', {
        rawBody: '{"title":',
        headers: { 'content-type': 'application/json' },
        user: USER,
      });
      assert.equal(response.status, 400);
      assert.notEqual(response.body.error, 'duplicate_key');
    });
  });
});
