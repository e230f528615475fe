import { createBook } from '../api/client';
import type { BookInput } from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { BookForm } from '../components/BookForm';
import { PageHeading } from '../components/PageHeading';
import { useNotice } from '../notice';
import { href, navigate } from '../routing';

export function NewBookPage() {
  const auth = useAuth();
  const { notify } = useNotice();

  async function save(input: BookInput) {
    const book = await auth.authorizedWrite((token) => createBook(input, token));
    notify(`Added “${book.title}”.`, href.view(book.id));
    navigate(href.view(book.id));
  }

  return (
    <>
      <PageHeading>Add a book</PageHeading>
      <BookForm initial={null} submitLabel="Add book" cancelHref={href.list()} onSave={save} />
    </>
  );
}
