import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it } from 'vitest';
import { App } from '../../src/App';
import { FakeBooksApi, READ_ONLY_TOKEN, WRITE_TOKEN } from './fakeApi';

const TOKEN_KEY = 'books.accessToken';
let api: FakeBooksApi;

beforeEach(() => {
  api = new FakeBooksApi(23);
  api.install();
});

function start(hash = '') {
  window.location.hash = hash;
  const user = userEvent.setup();
  render(<App />);
  return user;
}

async function fillNewBook(user: ReturnType<typeof userEvent.setup>, title: string) {
  await screen.findByRole('heading', { level: 1, name: 'Add a book' });
  await user.type(screen.getByLabelText('Title (required)'), title);
  await user.type(screen.getByLabelText('Author (required)'), 'Ursula K. Le Guin');
  await user.type(screen.getByLabelText('Year (optional)'), '1969');
}

describe('browsing', () => {
  it('shows the first page and pages forward and back, focusing the result summary', async () => {
    const user = start();
    expect(await screen.findByText('Showing 1–10 of 23 books.')).toBeInTheDocument();
    expect(screen.getAllByRole('row')).toHaveLength(11); // header + 10
    expect(screen.getByRole('link', { name: 'Book 1' })).toHaveAttribute('href', expect.stringMatching(/^#\/books\//));
    expect(screen.queryByRole('link', { name: 'Previous page' })).toBeNull();

    await user.click(screen.getByRole('link', { name: 'Next page' }));
    const summary = await screen.findByText('Showing 11–20 of 23 books.');
    await waitFor(() => expect(summary).toHaveFocus());
    expect(screen.getByText('Page 2 of 3')).toBeInTheDocument();
    const lastList = api.requests.filter((r) => r.path === '/books').at(-1);
    expect(lastList?.search.get('offset')).toBe('10');
    expect(lastList?.search.get('limit')).toBe('10');

    await user.click(screen.getByRole('link', { name: 'Next page' }));
    expect(await screen.findByText('Showing 21–23 of 23 books.')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Next page' })).toBeNull();

    await user.click(screen.getByRole('link', { name: 'Previous page' }));
    expect(await screen.findByText('Showing 11–20 of 23 books.')).toBeInTheDocument();
  });

  it('searches by title or author and can clear the search', async () => {
    const user = start();
    await screen.findByText('Showing 1–10 of 23 books.');
    const search = within(screen.getByRole('search'));
    await user.type(search.getByLabelText('Search by title or author'), 'Book 2{Enter}');

    expect(await screen.findByRole('heading', { level: 1, name: 'Books matching “Book 2”' })).toBeInTheDocument();
    expect(await screen.findByText('Showing 1–5 of 5 books matching “Book 2”.')).toHaveFocus();
    expect(api.requests.at(-1)?.search.get('q')).toBe('Book 2');
    expect(screen.getByRole('link', { name: 'Book 20' })).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Book 3' })).toBeNull();

    await user.clear(screen.getByLabelText('Search by title or author'));
    await user.type(screen.getByLabelText('Search by title or author'), 'no such thing{Enter}');
    expect(await screen.findByText('No books match “no such thing”.')).toBeInTheDocument();
    expect(screen.queryByRole('table')).toBeNull();

    await user.click(screen.getByRole('link', { name: 'Clear search' }));
    expect(await screen.findByText('Showing 1–10 of 23 books.')).toBeInTheDocument();
  });

  it('says when loading fails and loads again on request', async () => {
    api.failWith = 503;
    const user = start();
    expect(await screen.findByRole('alert')).toHaveTextContent('The books service failed (HTTP 503)');
    api.failWith = null;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Showing 1–10 of 23 books.')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says when the answer is not the API (e.g. an HTML page)', async () => {
    api.htmlInstead = true;
    start();
    expect(await screen.findByRole('alert')).toHaveTextContent(
      'The books service gave an unexpected answer (HTTP 200).',
    );
  });

  it('opens a book from the list and moves focus to its heading', async () => {
    const user = start();
    await user.click(await screen.findByRole('link', { name: 'Book 4' }));
    const heading = await screen.findByRole('heading', { level: 1, name: 'Book 4' });
    await waitFor(() => expect(heading).toHaveFocus());
    expect(screen.getByText('Author 4')).toBeInTheDocument();
    expect(document.title).toBe('Book 4 – Books');
  });

  it('says a missing (e.g. deleted) book no longer exists, with a way back and no "Try again"', async () => {
    const user = start('#/books/missing');
    expect(await screen.findByRole('heading', { level: 1, name: 'Book not found' })).toBeInTheDocument();
    expect(screen.getByText(/This book no longer exists/)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(document.title).toBe('Book not found – Books');
    await user.click(screen.getByRole('link', { name: 'Back to all books' }));
    expect(await screen.findByText('Showing 1–10 of 23 books.')).toBeInTheDocument();
  });

  it('offers "Try again" when loading a book fails in a way that can pass', async () => {
    api.failWith = 503;
    const user = start(`#/books/${api.books[0]!.id}`);
    expect(await screen.findByRole('alert')).toHaveTextContent('The books service failed (HTTP 503)');
    api.failWith = null;
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Book 1' })).toBeInTheDocument();
  });

  it('names the home page once in the document title', async () => {
    start();
    await screen.findByText('Showing 1–10 of 23 books.');
    expect(document.title).toBe('Books');
  });
});

describe('adding a book', () => {
  it('checks the required fields before sending anything, so an empty form never asks for a token', async () => {
    const user = start('#/new');
    await screen.findByRole('heading', { level: 1, name: 'Add a book' });
    await user.type(screen.getByLabelText('Author (required)'), '   ');
    await user.click(screen.getByRole('button', { name: 'Add book' }));

    const title = screen.getByLabelText('Title (required)');
    await waitFor(() => expect(title).toHaveFocus());
    expect(title).toHaveAttribute('aria-invalid', 'true');
    expect(title).toHaveAccessibleDescription('This field is required.');
    const author = screen.getByLabelText('Author (required)');
    expect(author).toHaveAttribute('aria-invalid', 'true');
    expect(author).toHaveAccessibleDescription('This field is required.');
    expect(screen.getByLabelText('Year (optional)')).toHaveAttribute('aria-invalid', 'false');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
    expect(api.writes()).toEqual([]);

    await user.type(title, 'Complete');
    await user.type(author, 'Someone');
    await user.click(screen.getByRole('button', { name: 'Add book' }));
    expect(await screen.findByRole('dialog', { name: 'Access token needed' })).toBeInTheDocument();
  });

  it('shows the API validation errors next to the fields and focuses the first invalid one', async () => {
    window.sessionStorage.setItem(TOKEN_KEY, WRITE_TOKEN);
    const user = start('#/new');
    await screen.findByRole('heading', { level: 1, name: 'Add a book' });
    await user.type(screen.getByLabelText('Title (required)'), 'Someday');
    await user.type(screen.getByLabelText('Author (required)'), 'Someone');
    await user.type(screen.getByLabelText('Year (optional)'), 'soon');
    await user.click(screen.getByRole('button', { name: 'Add book' }));

    const year = screen.getByLabelText('Year (optional)');
    await waitFor(() => expect(year).toHaveAttribute('aria-invalid', 'true'));
    expect(year).toHaveAccessibleDescription(expect.stringContaining('Must be a whole number.'));
    await waitFor(() => expect(year).toHaveFocus());
    expect(screen.getByLabelText('Title (required)')).toHaveAttribute('aria-invalid', 'false');
    expect(api.writes().at(-1)?.body).toEqual({ title: 'Someday', author: 'Someone', year: 'soon' });

    await user.clear(year);
    await user.click(screen.getByRole('button', { name: 'Add book' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Someday' })).toBeInTheDocument();
  });

  it('Cancel goes back to the list and saves nothing', async () => {
    const user = start('#/new');
    await fillNewBook(user, 'Changed my mind');
    await user.click(screen.getByRole('link', { name: 'Cancel' }));
    const heading = await screen.findByRole('heading', { level: 1, name: 'Books' });
    await waitFor(() => expect(heading).toHaveFocus());
    expect(api.writes()).toEqual([]);
  });

  it('shows a duplicate ISBN (409) next to the ISBN field', async () => {
    window.sessionStorage.setItem(TOKEN_KEY, WRITE_TOKEN);
    const user = start('#/new');
    await fillNewBook(user, 'Duplicate');
    await user.type(screen.getByLabelText('ISBN (optional)'), '9780441478125');
    await user.click(screen.getByRole('button', { name: 'Add book' }));
    const isbn = screen.getByLabelText('ISBN (optional)');
    await waitFor(() => expect(isbn).toHaveFocus());
    expect(isbn).toHaveAttribute('aria-invalid', 'true');
    expect(isbn).toHaveAccessibleDescription(expect.stringContaining('A book with this ISBN already exists.'));
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('asks for a token on 401, keeps it for the session and retries the write', async () => {
    const user = start('#/new');
    await fillNewBook(user, 'The Left Hand of Darkness');
    await user.click(screen.getByRole('button', { name: 'Add book' }));

    const dialog = await screen.findByRole('dialog', { name: 'Access token needed' });
    const tokenInput = within(dialog).getByLabelText('Access token');
    expect(tokenInput).toHaveFocus();
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));
    expect(tokenInput).toHaveAccessibleDescription('Enter an access token.');

    await user.type(tokenInput, `Bearer ${WRITE_TOKEN}`);
    await user.click(within(dialog).getByRole('button', { name: 'Continue' }));

    const heading = await screen.findByRole('heading', { level: 1, name: 'The Left Hand of Darkness' });
    await waitFor(() => expect(heading).toHaveFocus());
    expect(screen.getByRole('status')).toHaveTextContent('Added “The Left Hand of Darkness”.');
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(window.sessionStorage.getItem(TOKEN_KEY)).toBe(WRITE_TOKEN);
    expect(api.writes().map((r) => r.authorization)).toEqual([null, `Bearer ${WRITE_TOKEN}`]);
    expect(api.writes()[1]?.body).toEqual({
      title: 'The Left Hand of Darkness',
      author: 'Ursula K. Le Guin',
      year: 1969,
    });
    expect(screen.getByRole('button', { name: 'Sign out' })).toBeVisible();

    // The next write uses the kept token without asking.
    await user.click(screen.getByRole('link', { name: 'Add a book' }));
    await fillNewBook(user, 'The Dispossessed');
    await user.click(screen.getByRole('button', { name: 'Add book' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'The Dispossessed' })).toBeInTheDocument();
    expect(api.writes().at(-1)?.authorization).toBe(`Bearer ${WRITE_TOKEN}`);
  });

  it('asks again when the kept token is rejected, and saves nothing when the prompt is cancelled', async () => {
    window.sessionStorage.setItem(TOKEN_KEY, 'expired-token');
    const user = start('#/new');
    await fillNewBook(user, 'Never saved');
    await user.click(screen.getByRole('button', { name: 'Add book' }));

    const dialog = await screen.findByRole('dialog', { name: 'Access token needed' });
    expect(dialog).toHaveAccessibleDescription(expect.stringContaining('was not accepted'));
    expect(window.sessionStorage.getItem(TOKEN_KEY)).toBeNull();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    expect(await screen.findByRole('alert')).toHaveTextContent(
      'Nothing was changed: changing books needs an access token.',
    );
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.books.some((b) => b.title === 'Never saved')).toBe(false);
    expect(screen.getByText('Not signed in')).toBeInTheDocument();
  });

  it('says when the service cannot be reached, keeping what was typed', async () => {
    window.sessionStorage.setItem(TOKEN_KEY, WRITE_TOKEN);
    const user = start('#/new');
    await fillNewBook(user, 'Offline');
    api.networkDown = true;
    await user.click(screen.getByRole('button', { name: 'Add book' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('Could not reach the books service. Check your connection and try again.');
    await waitFor(() => expect(alert.closest('.form-errors')).toHaveFocus());
    expect(screen.getByLabelText('Title (required)')).toHaveValue('Offline');

    api.networkDown = false;
    await user.click(screen.getByRole('button', { name: 'Add book' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Offline' })).toBeInTheDocument();
  });

  it('explains a 403 (token without the books:write scope)', async () => {
    window.sessionStorage.setItem(TOKEN_KEY, READ_ONLY_TOKEN);
    const user = start('#/new');
    await fillNewBook(user, 'Forbidden');
    await user.click(screen.getByRole('button', { name: 'Add book' }));
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent('does not allow changing books (it needs the books:write scope)');
    await waitFor(() => expect(alert.closest('.form-errors')).toHaveFocus());
    expect(screen.queryByRole('dialog')).toBeNull();
  });
});

describe('editing a book', () => {
  it('prefills the form and replaces the book', async () => {
    window.sessionStorage.setItem(TOKEN_KEY, WRITE_TOKEN);
    const target = api.books[2]!;
    const user = start(`#/books/${target.id}`);
    await screen.findByRole('heading', { level: 1, name: 'Book 3' });
    await user.click(screen.getByRole('link', { name: 'Edit' }));

    const title = await screen.findByLabelText('Title (required)');
    expect(title).toHaveValue('Book 3');
    expect(screen.getByLabelText('Year (optional)')).toHaveValue('1903');
    await user.clear(title);
    await user.type(title, 'Book Three');
    await user.click(screen.getByRole('button', { name: 'Save changes' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Book Three' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Saved changes to “Book Three”.');
    const put = api.writes().at(-1);
    expect(put?.method).toBe('PUT');
    expect(put?.path).toBe(`/books/${target.id}`);
    expect(put?.body).toEqual({ title: 'Book Three', author: 'Author 3', year: 1903 });
  });

  it('Cancel goes back to the book unchanged', async () => {
    const target = api.books[2]!;
    const user = start(`#/books/${target.id}/edit`);
    const title = await screen.findByLabelText('Title (required)');
    await user.clear(title);
    await user.click(screen.getByRole('link', { name: 'Cancel' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'Book 3' })).toBeInTheDocument();
    expect(api.writes()).toEqual([]);
  });

  it('says a missing book no longer exists instead of showing a form', async () => {
    start('#/books/missing/edit');
    expect(await screen.findByRole('heading', { level: 1, name: 'Book not found' })).toBeInTheDocument();
    expect(screen.queryByLabelText('Title (required)')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Try again' })).toBeNull();
  });
});

describe('signing out', () => {
  it('forgets the token, says so, and the next write asks again', async () => {
    window.sessionStorage.setItem(TOKEN_KEY, WRITE_TOKEN);
    const user = start('#/new');
    expect(await screen.findByText('Signed in with an access token')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Sign out' }));

    expect(window.sessionStorage.getItem(TOKEN_KEY)).toBeNull();
    expect(screen.getByText('Not signed in')).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Sign out' })).toBeNull();
    expect(screen.getByRole('status')).toHaveTextContent('Signed out. The access token was forgotten.');
    expect(screen.getByRole('heading', { level: 1 })).toHaveFocus();

    await fillNewBook(user, 'After sign-out');
    await user.click(screen.getByRole('button', { name: 'Add book' }));
    expect(await screen.findByRole('dialog', { name: 'Access token needed' })).toBeInTheDocument();
    expect(api.writes().at(-1)?.authorization).toBeNull();
  });
});

describe('deleting a book', () => {
  it('asks for confirmation, keeps the book on cancel, deletes it on confirm', async () => {
    window.sessionStorage.setItem(TOKEN_KEY, WRITE_TOKEN);
    const target = api.books[2]!;
    const user = start(`#/books/${target.id}`);
    await screen.findByRole('heading', { level: 1, name: 'Book 3' });

    const deleteButton = screen.getByRole('button', { name: 'Delete' });
    await user.click(deleteButton);
    let confirm = await screen.findByRole('alertdialog', { name: 'Delete “Book 3”?' });
    expect(within(confirm).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(deleteButton).toHaveFocus();
    expect(api.writes()).toHaveLength(0);

    await user.click(deleteButton);
    confirm = await screen.findByRole('alertdialog', { name: 'Delete “Book 3”?' });
    await user.click(within(confirm).getByRole('button', { name: 'Delete book' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Books' })).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Deleted “Book 3”.');
    expect(await screen.findByText('Showing 1–10 of 22 books.')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Book 3' })).toBeNull();
    expect(api.writes()).toEqual([expect.objectContaining({ method: 'DELETE', path: `/books/${target.id}` })]);
  });

  it('shows why a delete failed and keeps the book', async () => {
    window.sessionStorage.setItem(TOKEN_KEY, READ_ONLY_TOKEN);
    const target = api.books[0]!;
    const user = start(`#/books/${target.id}`);
    await screen.findByRole('heading', { level: 1, name: 'Book 1' });
    await user.click(screen.getByRole('button', { name: 'Delete' }));
    await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Delete book' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('does not allow changing books');
    expect(screen.getByRole('heading', { level: 1, name: 'Book 1' })).toBeInTheDocument();
    expect(api.books).toHaveLength(23);
  });
});
