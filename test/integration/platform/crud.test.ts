import assert from 'node:assert/strict';
import { type Book, call, errorBody, platformEnv, token, uniqueBook } from './support';

describe('platform: books CRUD through the gateway', () => {
  it('creates, reads, lists, replaces, patches and deletes a book with a minted write token', async () => {
    const writer = await token({ sub: 'crud-writer' });
    const input = uniqueBook('CRUD');

    const created = await call('POST', '/books', { token: writer, body: input });
    assert.equal(created.status, 201, created.text);
    const book = created.json as Book;
    assert.equal(book.title, input.title);
    assert.equal(book.createdBy, 'crud-writer');
    assert.equal(book.updatedBy, 'crud-writer');

    const read = await call('GET', `/books/${book.id}`);
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(read.json, book);

    const listed = await call('GET', `/books?q=${encodeURIComponent(input.title)}`);
    assert.equal(listed.status, 200, listed.text);
    const list = listed.json as { items: Book[]; total: number };
    assert.deepEqual(
      list.items.map((item) => item.id),
      [book.id],
    );
    assert.equal(list.total, 1);

    const editor = await token({ sub: 'crud-editor' });
    const replaced = await call('PUT', `/books/${book.id}`, {
      token: editor,
      body: { title: `${input.title} (2nd ed.)`, author: 'Someone Else', year: 2002, isbn: null },
    });
    assert.equal(replaced.status, 200, replaced.text);
    const afterPut = replaced.json as Book;
    assert.equal(afterPut.author, 'Someone Else');
    assert.equal(afterPut.createdBy, 'crud-writer');
    assert.equal(afterPut.updatedBy, 'crud-editor');

    const patched = await call('PATCH', `/books/${book.id}`, { token: writer, body: { year: 2003 } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal((patched.json as Book).year, 2003);
    assert.equal((patched.json as Book).author, 'Someone Else');

    const deleted = await call('DELETE', `/books/${book.id}`, { token: writer });
    assert.equal(deleted.status, 204, deleted.text);
    const gone = await call('GET', `/books/${book.id}`);
    assert.equal(gone.status, 404);
    assert.equal(errorBody(gone).error, 'not_found');
  });

  it('accepts the harness write token (BOOKS_WRITE_TOKEN) for writes', async () => {
    const created = await call('POST', '/books', {
      token: platformEnv().writeToken,
      body: uniqueBook('Harness token'),
    });
    assert.equal(created.status, 201, created.text);
    const { id } = created.json as Book;
    const deleted = await call('DELETE', `/books/${id}`, { token: platformEnv().writeToken });
    assert.equal(deleted.status, 204, deleted.text);
  });
});
