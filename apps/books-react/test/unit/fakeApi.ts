import { vi } from 'vitest';
import type { Book } from '../../src/api/types';

/**
 * An in-memory stand-in for the gateway + books API behind `fetch`, answering like the real ones: list/search with
 * limit/offset, ajv-style validation details, 401 without a valid token, 403 for a token without books:write.
 */
export const WRITE_TOKEN = 'token-with-books-write';
export const READ_ONLY_TOKEN = 'token-without-scope';

export interface RecordedRequest {
  method: string;
  path: string;
  search: URLSearchParams;
  authorization: string | null;
  body: unknown;
}

export function makeBook(n: number, overrides: Partial<Book> = {}): Book {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    title: `Book ${n}`,
    author: `Author ${n}`,
    year: 1900 + n,
    isbn: null,
    createdBy: 'alice',
    updatedBy: 'alice',
    createdAt: '2026-01-01T10:00:00.000Z',
    updatedAt: '2026-01-01T10:00:00.000Z',
    ...overrides,
  };
}

function json(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json' },
  });
}

/** Validation issues in the shape books sends (`{location, path, keyword, message}`). */
function validate(body: unknown): object[] {
  const issues: object[] = [];
  const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const issue = (path: string, keyword: string, message: string) =>
    issues.push({ location: 'body', path, keyword, message });
  for (const field of ['title', 'author']) {
    if (!(field in record)) issue(`/${field}`, 'required', `must have required property '${field}'`);
    else if (typeof record[field] !== 'string' || record[field] === '')
      issue(`/${field}`, 'minLength', 'must NOT have fewer than 1 characters');
  }
  if ('year' in record && record.year !== null && !Number.isInteger(record.year))
    issue('/year', 'type', 'must be integer,null');
  return issues;
}

export class FakeBooksApi {
  books: Book[];
  requests: RecordedRequest[] = [];
  /** Answer every request with this status (to simulate an outage) while set. */
  failWith: number | null = null;
  /** Reject every request as fetch does when the network is down, while set. */
  networkDown = false;
  /** Answer every request with this HTML page (a misrouted request), while set. */
  htmlInstead = false;
  private nextId = 1000;

  constructor(count: number) {
    this.books = Array.from({ length: count }, (_, i) => makeBook(i + 1));
    this.books[0] = { ...this.books[0]!, isbn: '9780441478125' };
  }

  install(): void {
    vi.stubGlobal('fetch', (input: string, init: RequestInit = {}) =>
      this.networkDown ? Promise.reject(new TypeError('Failed to fetch')) : Promise.resolve(this.handle(input, init)),
    );
  }

  writes(): RecordedRequest[] {
    return this.requests.filter((request) => request.method !== 'GET');
  }

  private handle(input: string, init: RequestInit): Response {
    const url = new URL(input, 'http://app.test');
    const headers = new Headers(init.headers);
    const method = init.method ?? 'GET';
    const body: unknown = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
    this.requests.push({
      method,
      path: url.pathname,
      search: url.searchParams,
      authorization: headers.get('Authorization'),
      body,
    });
    if (this.failWith !== null) return json(this.failWith, { error: 'unavailable', message: 'down', details: null });
    if (this.htmlInstead)
      return new Response('<!doctype html><title>app</title>', { headers: { 'Content-Type': 'text/html' } });

    if (method !== 'GET') {
      const authorization = headers.get('Authorization');
      if (authorization !== `Bearer ${WRITE_TOKEN}` && authorization !== `Bearer ${READ_ONLY_TOKEN}`) {
        return json(401, { error: 'unauthenticated', message: 'a valid bearer token is required', details: null });
      }
      if (authorization === `Bearer ${READ_ONLY_TOKEN}`) {
        return json(403, { error: 'forbidden', message: 'scope books:write required', details: null });
      }
    }

    const match = /^\/books(?:\/([^/]+))?$/.exec(url.pathname);
    if (!match) return json(404, { error: 'not_found', message: 'no route', details: null });
    const id = match[1] === undefined ? undefined : decodeURIComponent(match[1]);

    if (id === undefined && method === 'GET') {
      const q = (url.searchParams.get('q') ?? '').toLowerCase();
      const limit = Number(url.searchParams.get('limit') ?? 20);
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const matching = this.books
        .filter((b) => `${b.title} ${b.author}`.toLowerCase().includes(q))
        .sort((a, b) => a.title.localeCompare(b.title, 'en', { numeric: true }));
      return json(200, { items: matching.slice(offset, offset + limit), total: matching.length, limit, offset });
    }
    if (id === undefined && method === 'POST') {
      const errors = validate(body);
      if (errors.length > 0)
        return json(400, { error: 'validation_failed', message: 'body is invalid', details: errors });
      const input = body as Pick<Book, 'title' | 'author'> & Partial<Book>;
      if (input.isbn && this.books.some((b) => b.isbn === input.isbn)) {
        return json(409, {
          error: 'conflict',
          message: 'A book with this ISBN already exists.',
          details: { field: 'isbn', isbn: input.isbn },
        });
      }
      const book = makeBook(this.nextId++, {
        ...input,
        year: input.year ?? null,
        isbn: input.isbn ?? null,
        createdBy: 'writer',
        updatedBy: 'writer',
      });
      this.books.push(book);
      return json(201, book);
    }
    const index = this.books.findIndex((b) => b.id === id);
    if (index < 0) return json(404, { error: 'not_found', message: 'book not found', details: null });
    const existing = this.books[index]!;
    switch (method) {
      case 'GET':
        return json(200, existing);
      case 'PUT': {
        const errors = validate(body);
        if (errors.length > 0)
          return json(400, { error: 'validation_failed', message: 'body is invalid', details: errors });
        const input = body as Pick<Book, 'title' | 'author'> & Partial<Book>;
        const updated: Book = {
          ...existing,
          title: input.title,
          author: input.author,
          year: input.year ?? null,
          isbn: input.isbn ?? null,
          updatedBy: 'writer',
        };
        this.books[index] = updated;
        return json(200, updated);
      }
      case 'DELETE':
        this.books.splice(index, 1);
        return json(204, undefined);
      default:
        return json(405, { error: 'method_not_allowed', message: method, details: null });
    }
  }
}
