import { useState } from 'react';
import { deleteBook } from '../api/client';
import type { Book } from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { Alert } from '../components/Alert';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { LoadedBook } from '../components/LoadedBook';
import { useNotice } from '../notice';
import { href, navigate } from '../routing';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function when(timestamp: string): string {
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? timestamp : dateFormat.format(date);
}

export function BookPage({ id }: { id: string }) {
  return (
    <LoadedBook id={id} headings={{ loading: 'Book', ready: (book) => book.title }}>
      {(book) => <BookDetails book={book} />}
    </LoadedBook>
  );
}

function BookDetails({ book }: { book: Book }) {
  const auth = useAuth();
  const { notify } = useNotice();
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>(null);

  async function confirmDelete() {
    setDeleting(true);
    setDeleteError(null);
    try {
      await auth.authorizedWrite((token) => deleteBook(book.id, token));
    } catch (error) {
      setDeleting(false);
      setConfirming(false);
      setDeleteError(error);
      return;
    }
    notify(`Deleted “${book.title}”.`, href.list());
    navigate(href.list());
  }

  return (
    <>
      <dl className="book-details">
        <dt>Author</dt>
        <dd>{book.author}</dd>
        <dt>Year</dt>
        <dd>{book.year ?? 'Not recorded'}</dd>
        <dt>ISBN</dt>
        <dd>{book.isbn ?? 'Not recorded'}</dd>
        <dt>Added</dt>
        <dd>
          {when(book.createdAt)} by {book.createdBy}
        </dd>
        <dt>Last changed</dt>
        <dd>
          {when(book.updatedAt)} by {book.updatedBy}
        </dd>
      </dl>
      {deleteError !== null && <Alert error={deleteError} />}
      <div className="actions">
        <a className="button" href={href.edit(book.id)}>
          Edit
        </a>
        <button type="button" className="danger" onClick={() => setConfirming(true)}>
          Delete
        </button>
        <a href={href.list()}>Back to all books</a>
      </div>
      {confirming && (
        <ConfirmDialog
          title={`Delete “${book.title}”?`}
          message="The book is removed from the catalogue for everyone. This cannot be undone."
          confirmLabel="Delete book"
          busy={deleting}
          onConfirm={() => void confirmDelete()}
          onCancel={() => setConfirming(false)}
        />
      )}
    </>
  );
}
