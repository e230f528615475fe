import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type Book, call, errorBody, token, uniqueBook } from './support';

/** Every rejected write must leave the catalogue unchanged: checked by searching for the book's unique title. */
async function assertNotStored(title: string): Promise<void> {
  const found = await call('GET', `/books?q=${encodeURIComponent(title)}`);
  assert.equal(found.status, 200, found.text);
  assert.equal((found.json as { total: number }).total, 0, `a rejected write stored "${title}"`);
}

async function assertRejectedWrite(authorization: string | undefined, status: 401 | 403): Promise<void> {
  const input = uniqueBook(`Rejected ${status}`);
  const reply = await call('POST', '/books', {
    body: input,
    headers: authorization === undefined ? {} : { authorization },
  });
  assert.equal(reply.status, status, reply.text);
  errorBody(reply);
  if (status === 401) assert.match(reply.headers.get('www-authenticate') ?? '', /^Bearer realm=/);
  await assertNotStored(input.title);
}

describe('platform: authentication and authorization at the gateway', () => {
  it('serves reads without a token', async () => {
    const reply = await call('GET', '/books?limit=1');
    assert.equal(reply.status, 200, reply.text);
    assert.ok(Array.isArray((reply.json as { items: unknown }).items));
  });

  it('rejects a write without a token (401 JSON with a Bearer challenge)', async () => {
    await assertRejectedWrite(undefined, 401);
  });

  it('says `unauthenticated` for a missing token, the code books uses for the same situation', async () => {
    const reply = await call('POST', '/books', { body: uniqueBook('No token') });
    assert.equal(errorBody(reply).error, 'unauthenticated');
  });

  it('rejects a token whose subject has a space as a token problem, not as a header the client never sent', async () => {
    const input = uniqueBook('Spaced subject');
    const reply = await call('POST', '/books', { body: input, token: await token({ sub: 'alice smith' }) });
    assert.equal(reply.status, 401, reply.text);
    const body = errorBody(reply);
    assert.equal(body.error, 'unauthenticated');
    assert.deepEqual((body.details as { reason?: string }).reason, 'invalid_claims');
    assert.doesNotMatch(reply.text, /X-Authenticated-User/i);
    assert.match(reply.headers.get('www-authenticate') ?? '', /error="invalid_token".*sub/);
    await assertNotStored(input.title);
  });

  it('rejects a malformed token and a non-Bearer scheme', async () => {
    await assertRejectedWrite('Bearer not-a-jwt', 401);
    await assertRejectedWrite(`Basic ${Buffer.from('user:pass').toString('base64')}`, 401);
  });

  it('rejects a token signed with another key', async () => {
    await assertRejectedWrite(`Bearer ${await token({ key: randomBytes(32) })}`, 401);
  });

  it('rejects an expired token and a token not yet valid', async () => {
    await assertRejectedWrite(`Bearer ${await token({ ttlSeconds: -600 })}`, 401);
    await assertRejectedWrite(`Bearer ${await token({ notBeforeSeconds: 600, ttlSeconds: 1200 })}`, 401);
  });

  it('rejects a token for another issuer or audience', async () => {
    await assertRejectedWrite(`Bearer ${await token({ issuer: 'someone-else' })}`, 401);
    await assertRejectedWrite(`Bearer ${await token({ audience: 'another-api' })}`, 401);
  });

  it('rejects an unsigned token (alg none)', async () => {
    const part = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${part({ alg: 'none', typ: 'JWT' })}.${part({ sub: 'mallory', scope: 'books:write', exp: now + 300 })}.`;
    await assertRejectedWrite(`Bearer ${unsigned}`, 401);
  });

  it('answers 403 to a valid token without the books:write scope', async () => {
    await assertRejectedWrite(`Bearer ${await token({ scope: 'books:read' })}`, 403);
    await assertRejectedWrite(`Bearer ${await token({ scope: undefined })}`, 403);
  });

  it('protects every write method on the item path too', async () => {
    const created = await call('POST', '/books', { token: await token(), body: uniqueBook('Protected item') });
    assert.equal(created.status, 201, created.text);
    const { id } = created.json as Book;
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      const reply = await call(method, `/books/${id}`, { body: method === 'DELETE' ? undefined : { year: 1999 } });
      assert.equal(reply.status, 401, `${method}: ${reply.text}`);
    }
    const unchanged = await call('GET', `/books/${id}`);
    assert.equal((unchanged.json as Book).year, 2001);
    assert.equal((await call('DELETE', `/books/${id}`, { token: await token() })).status, 204);
  });

  it('ignores a client-sent X-Authenticated-User: no write without a token, and the token decides the user', async () => {
    const spoofed = { 'x-authenticated-user': 'mallory' };
    const input = uniqueBook('Spoofed identity');
    const withoutToken = await call('POST', '/books', { body: input, headers: spoofed });
    assert.equal(withoutToken.status, 401, withoutToken.text);
    await assertNotStored(input.title);

    const withToken = await call('POST', '/books', {
      token: await token({ sub: 'alice' }),
      body: input,
      headers: spoofed,
    });
    assert.equal(withToken.status, 201, withToken.text);
    const book = withToken.json as Book;
    assert.equal(book.createdBy, 'alice');
    assert.equal(book.updatedBy, 'alice');
    assert.equal((await call('DELETE', `/books/${book.id}`, { token: await token() })).status, 204);
  });
});
