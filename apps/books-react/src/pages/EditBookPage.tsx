import { replaceBook } from '../api/client';
import type { Book, BookInput } from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { BookForm } from '../components/BookForm';
import { LoadedBook } from '../components/LoadedBook';
import { useNotice } from '../notice';
import { href, navigate } from '../routing';

export function EditBookPage({ id }: { id: string }) {
  return (
    <LoadedBook id={id} headings={{ loading: 'Edit book', ready: (book) => `Edit “${book.title}”` }}>
      {(book) => <EditForm book={book} />}
    </LoadedBook>
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

  return <BookForm initial={book} submitLabel="Save changes" cancelHref={href.view(book.id)} onSave={save} />;
}
