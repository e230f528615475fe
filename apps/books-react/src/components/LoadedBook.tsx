import type { ReactNode } from 'react';
import { getBook } from '../api/client';
import { ApiError } from '../api/errors';
import type { Book } from '../api/types';
import { href } from '../routing';
import { useResource } from '../useResource';
import { Alert } from './Alert';
import { PageHeading } from './PageHeading';

interface LoadedBookProps {
  id: string;
  /** The page heading while loading, and once the book is there. */
  headings: { loading: string; ready: (book: Book) => string };
  children: (book: Book) => ReactNode;
}

/** A 404 for the book: it was deleted or never existed, so trying again cannot help. */
function isGone(error: unknown): boolean {
  return error instanceof ApiError && error.status === 404;
}

/** Loads one book for a page, with the shared loading and failure states. */
export function LoadedBook({ id, headings, children }: LoadedBookProps) {
  const [book, reload] = useResource(id, (signal) => getBook(id, signal));
  const heading =
    book.status === 'ready'
      ? headings.ready(book.data)
      : book.status === 'loading'
        ? headings.loading
        : isGone(book.error)
          ? 'Book not found'
          : 'Book not available';
  return (
    <>
      {/* One heading element through loading and loaded, so focus placed on it stays there. */}
      <PageHeading>{heading}</PageHeading>
      {book.status === 'loading' && (
        <p role="status" className="loading">
          Loading book…
        </p>
      )}
      {book.status === 'error' && (
        <>
          {isGone(book.error) ? (
            <p>This book no longer exists: it may have been deleted, or the address is wrong.</p>
          ) : (
            <Alert error={book.error} onRetry={reload} />
          )}
          <p>
            <a href={href.list()}>Back to all books</a>
          </p>
        </>
      )}
      {book.status === 'ready' && children(book.data)}
    </>
  );
}
