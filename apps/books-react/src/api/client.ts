import { ApiError, NetworkError, UnexpectedResponseError } from './errors';
import type { Book, BookInput, BookPage, ListQuery } from './types';

/** Same-origin: the gateway serves both this app and the API, so there is no base URL and no CORS. */
const BOOKS_PATH = '/books';

type Json = unknown;

interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  token?: string | null;
  signal?: AbortSignal;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readJson(response: Response): Promise<Json> {
  const text = await response.text();
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

async function request(path: string, options: RequestOptions = {}): Promise<Json> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  let response: Response;
  try {
    response = await fetch(path, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new NetworkError(error);
  }
  const body = await readJson(response);
  if (!response.ok) {
    const fields = isRecord(body) ? body : {};
    throw new ApiError(
      response.status,
      typeof fields.error === 'string' ? fields.error : 'http_error',
      typeof fields.message === 'string' ? fields.message : response.statusText || `HTTP ${response.status}`,
      fields.details,
    );
  }
  return body;
}

function isBook(value: unknown): value is Book {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.title === 'string' &&
    typeof value.author === 'string' &&
    (value.year === null || value.year === undefined || typeof value.year === 'number') &&
    (value.isbn === null || value.isbn === undefined || typeof value.isbn === 'string')
  );
}

function toBook(value: unknown, status = 200): Book {
  if (!isBook(value)) throw new UnexpectedResponseError(status);
  return { ...value, year: value.year ?? null, isbn: value.isbn ?? null };
}

/** The list response's shape lives here and only here. */
function toBookPage(value: unknown): BookPage {
  if (!isRecord(value) || !Array.isArray(value.items) || typeof value.total !== 'number') {
    throw new UnexpectedResponseError(200);
  }
  return {
    items: value.items.map((item) => toBook(item)),
    total: value.total,
    limit: typeof value.limit === 'number' ? value.limit : value.items.length,
    offset: typeof value.offset === 'number' ? value.offset : 0,
  };
}

function bookPath(id: string): string {
  return `${BOOKS_PATH}/${encodeURIComponent(id)}`;
}

export async function listBooks(query: ListQuery, signal?: AbortSignal): Promise<BookPage> {
  // Alphabetical, as a reader browsing a catalogue expects (the API's default order is by creation time).
  const params = new URLSearchParams({
    limit: String(query.limit),
    offset: String(query.offset),
    sort: 'title',
    order: 'asc',
  });
  if (query.q !== '') params.set('q', query.q);
  return toBookPage(await request(`${BOOKS_PATH}?${params.toString()}`, { signal }));
}

export async function getBook(id: string, signal?: AbortSignal): Promise<Book> {
  return toBook(await request(bookPath(id), { signal }));
}

export async function createBook(input: BookInput, token: string | null): Promise<Book> {
  return toBook(await request(BOOKS_PATH, { method: 'POST', body: input, token }), 201);
}

export async function replaceBook(id: string, input: BookInput, token: string | null): Promise<Book> {
  return toBook(await request(bookPath(id), { method: 'PUT', body: input, token }));
}

export async function deleteBook(id: string, token: string | null): Promise<void> {
  await request(bookPath(id), { method: 'DELETE', token });
}
