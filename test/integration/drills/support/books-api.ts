// The few books API calls the drills need, through the gateway.
import { strict as assert } from 'node:assert';
// The API's own types, generated from its OpenAPI document (the one contract; see apps/books/scripts/contract.ts).
import type { Book, BookPage } from '../../../../apps/books-react/src/api/types';

export type { Book };

const PAGE = 100;

export function writeHeaders(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
}

export async function createBook(baseUrl: string, token: string, title: string): Promise<Book> {
  const response = await fetch(`${baseUrl}/books`, {
    method: 'POST',
    headers: writeHeaders(token),
    body: JSON.stringify({ title, author: 'Drill Author', year: 2001 }),
  });
  assert.equal(response.status, 201, `seeding a book: ${response.status} ${await response.clone().text()}`);
  return (await response.json()) as Book;
}

export async function seedBooks(baseUrl: string, token: string, count: number): Promise<Book[]> {
  const books: Book[] = [];
  for (let i = 0; i < count; i++) books.push(await createBook(baseUrl, token, `Drill seed ${i}`));
  return books;
}

/** The whole table as the API returns it, ordered by creation, as canonical JSON (for before/after equality). */
export async function snapshotBooks(baseUrl: string): Promise<{ count: number; canonical: string; ids: Set<string> }> {
  const items: Book[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const response = await fetch(`${baseUrl}/books?limit=${PAGE}&offset=${offset}&sort=createdAt&order=asc`);
    assert.equal(response.status, 200, `listing books at offset ${offset}`);
    const page = (await response.json()) as BookPage;
    items.push(...page.items);
    if (page.items.length < PAGE) break;
  }
  return { count: items.length, canonical: JSON.stringify(items), ids: new Set(items.map((book) => book.id)) };
}
