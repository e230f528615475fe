// The read traffic the availability drills send: list pages and single books, all answered 200 when healthy.
import type { LoadRequest } from '../../../../bench/lib/load';
import type { Book } from './books-api';

export function readTraffic(books: readonly Book[]): (index: number) => LoadRequest {
  return (index) =>
    index % 2 === 0
      ? { method: 'GET', path: '/books?limit=5', kind: 'read' }
      : { method: 'GET', path: `/books/${books[index % books.length].id}`, kind: 'read' };
}
