import { getBook, replaceBook } from '../api/client';
import type { Book, BookInput } from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { Alert } from '../components/Alert';
import { BookForm } from '../components/BookForm';
import { PageHeading } from '../components/PageHeading';
import { useNotice } from '../notice';
import { href, navigate } from '../routing';
import { useResource } from '../useResource';

export function EditBookPage({ id }: { id: string }) {
  const [book, reload] = useResource(id, (signal) => getBook(id, signal));
  return (
    <>
      {/* One heading element through loading and loaded, so focus placed on it stays there. */}
      <PageHeading>
        {book.status === 'ready'
          ? `Edit “${book.data.title}”`
          : book.status === 'loading'
            ? 'Edit book'
            : 'Book not available'}
      </PageHeading>
      {book.status === 'loading' && (
        <p role="status" className="loading">
          Loading book…
        </p>
      )}
      {book.status === 'error' && (
        <>
          <Alert error={book.error} onRetry={reload} />
          <p>
            <a href={href.list()}>Back to all books</a>
          </p>
        </>
      )}
      {book.status === 'ready' && <EditForm book={book.data} />}
    </>
  );
}

function EditForm({ book }: { book: Book }) {
  const auth = useAuth();
  const { notify } = useNotice();

  async function save(input: BookInput) {
    const saved = await auth.authorizedWrite((token) => replaceBook(book.id, input, token));
    notify(`Saved changes to “${saved.title}”.`, href.view(saved.id));
    navigate(href.view(saved.id));
  }

  return (
    <>
      <BookForm initial={book} submitLabel="Save changes" onSave={save} />
      <p>
        <a href={href.view(book.id)}>Cancel and go back</a>
      </p>
    </>
  );
}
