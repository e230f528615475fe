import { useEffect, useRef, type FormEvent } from 'react';
import { listBooks } from '../api/client';
import type { BookPage } from '../api/types';
import { Alert } from '../components/Alert';
import { PageHeading } from '../components/PageHeading';
import { href, navigate } from '../routing';
import { useResource } from '../useResource';

export const PAGE_SIZE = 10;

function summary(page: BookPage, q: string): string {
  const matching = q === '' ? '' : ` matching “${q}”`;
  if (page.total === 0) return q === '' ? 'There are no books yet.' : `No books match “${q}”.`;
  if (page.items.length === 0) return `This page is past the end of the ${page.total} books${matching}.`;
  const first = page.offset + 1;
  const last = page.offset + page.items.length;
  return `Showing ${first}–${last} of ${page.total} ${page.total === 1 ? 'book' : 'books'}${matching}.`;
}

export function ListPage({ q, offset }: { q: string; offset: number }) {
  const [books, reload] = useResource(`${q}\u0000${offset}`, (signal) =>
    listBooks({ q, limit: PAGE_SIZE, offset }, signal),
  );
  const searchRef = useRef<HTMLInputElement>(null);
  const summaryRef = useRef<HTMLParagraphElement>(null);
  const shownQuery = useRef({ q, offset });

  // A new search or page within the list: once its results are in, move focus to the summary so a screen reader
  // reads the outcome (the app focuses the heading only when arriving from another page).
  useEffect(() => {
    if (books.status !== 'ready') return;
    const previous = shownQuery.current;
    shownQuery.current = { q, offset };
    if (previous.q !== q || previous.offset !== offset) summaryRef.current?.focus();
  }, [books.status, q, offset]);

  function search(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    navigate(href.list((searchRef.current?.value ?? '').trim(), 0));
  }

  return (
    <>
      <PageHeading>{q === '' ? 'Books' : `Books matching “${q}”`}</PageHeading>
      <form role="search" className="search" onSubmit={search} key={q}>
        <label htmlFor="search-input">Search by title or author</label>
        <input ref={searchRef} id="search-input" name="q" type="search" defaultValue={q} />
        <button type="submit">Search</button>
        {q !== '' && <a href={href.list()}>Clear search</a>}
      </form>
      {books.status === 'loading' && (
        <p role="status" className="loading">
          Loading books…
        </p>
      )}
      {books.status === 'error' && <Alert error={books.error} onRetry={reload} />}
      {books.status === 'ready' && (
        <section aria-labelledby="results-summary">
          <p id="results-summary" ref={summaryRef} tabIndex={-1} className="summary">
            {summary(books.data, q)}
          </p>
          {books.data.items.length > 0 && (
            <table className="books">
              <caption className="visually-hidden">Books, {summary(books.data, q)}</caption>
              <thead>
                <tr>
                  <th scope="col">Title</th>
                  <th scope="col">Author</th>
                  <th scope="col">Year</th>
                </tr>
              </thead>
              <tbody>
                {books.data.items.map((book) => (
                  <tr key={book.id}>
                    <th scope="row">
                      <a href={href.view(book.id)}>{book.title}</a>
                    </th>
                    <td>{book.author}</td>
                    <td>{book.year ?? '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Pagination page={books.data} q={q} />
        </section>
      )}
    </>
  );
}

function Pagination({ page, q }: { page: BookPage; q: string }) {
  const pages = Math.max(1, Math.ceil(page.total / PAGE_SIZE));
  const current = Math.floor(page.offset / PAGE_SIZE) + 1;
  if (pages <= 1 && page.offset === 0) return null;
  const previous = page.offset > 0 ? href.list(q, Math.max(0, page.offset - PAGE_SIZE)) : null;
  const next = page.offset + PAGE_SIZE < page.total ? href.list(q, page.offset + PAGE_SIZE) : null;
  return (
    <nav aria-label="Pagination" className="pagination">
      {previous ? (
        <a href={previous}>Previous page</a>
      ) : (
        <span aria-hidden="true" className="inactive">
          Previous page
        </span>
      )}
      <span>
        Page {current} of {pages}
      </span>
      {next ? (
        <a href={next}>Next page</a>
      ) : (
        <span aria-hidden="true" className="inactive">
          Next page
        </span>
      )}
    </nav>
  );
}
