import assert from 'node:assert/strict';
import { GENERATED_REQUEST_ID as GENERATED_ID } from '../../../apps/books-reverse-proxy/test/nginx/support';
import { call, token, uniqueBook, type Reply } from './support';

function assertSecurityHeaders(reply: Reply, what: string): void {
  const expected: Record<string, string> = {
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
  };
  for (const [name, value] of Object.entries(expected))
    assert.equal(reply.headers.get(name), value, `${what}: ${name}`);
  // The web app sends its own, stricter policy as well; every policy present must forbid framing.
  assert.match(reply.headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, `${what}: CSP`);
  assert.equal(reply.headers.get('x-powered-by'), null, `${what}: x-powered-by leaks`);
  assert.doesNotMatch(reply.headers.get('server') ?? '', /\d/, `${what}: server version leaks`);
}

describe('platform: request ids and response headers', () => {
  it('returns a sane client X-Request-ID unchanged, on success and on gateway errors', async () => {
    const id = `platform-test.${Date.now()}:abc-DEF_1`;
    const ok = await call('GET', '/books?limit=1', { headers: { 'x-request-id': id } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('x-request-id'), id);
    const denied = await call('POST', '/books', { body: uniqueBook('Request id'), headers: { 'x-request-id': id } });
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get('x-request-id'), id);
    assert.equal((denied.json as { details: { requestId: string } }).details.requestId, id);
  });

  it('replaces an insane X-Request-ID and generates one when there is none', async () => {
    for (const insane of ['has spaces in it', 'x'.repeat(129), 'semi;colon', '<script>']) {
      const reply = await call('GET', '/books?limit=1', { headers: { 'x-request-id': insane } });
      assert.equal(reply.status, 200);
      assert.match(reply.headers.get('x-request-id') ?? '', GENERATED_ID, `for ${JSON.stringify(insane)}`);
    }
    const first = await call('GET', '/books?limit=1');
    const second = await call('GET', '/books?limit=1');
    assert.match(first.headers.get('x-request-id') ?? '', GENERATED_ID);
    assert.notEqual(first.headers.get('x-request-id'), second.headers.get('x-request-id'));
  });

  it('sends exactly one X-Request-ID (the upstream copy is not duplicated)', async () => {
    const reply = await call('GET', '/books?limit=1', { headers: { 'x-request-id': 'single-id' } });
    assert.equal(reply.headers.get('x-request-id'), 'single-id');
  });

  it('sets the security headers on API answers, errors, writes and the web app', async () => {
    assertSecurityHeaders(await call('GET', '/books?limit=1'), 'GET /books');
    assertSecurityHeaders(await call('GET', '/books/not-a-uuid'), 'books 400');
    assertSecurityHeaders(await call('POST', '/books', { body: uniqueBook('Headers') }), 'gateway 401');
    const created = await call('POST', '/books', { token: await token(), body: uniqueBook('Headers') });
    assertSecurityHeaders(created, 'POST 201');
    assert.equal(
      (await call('DELETE', `/books/${(created.json as { id: string }).id}`, { token: await token() })).status,
      204,
    );
    assertSecurityHeaders(await call('GET', '/'), 'web app');
  });

  it('answers the gateway health check', async () => {
    const reply = await call('GET', '/healthz');
    assert.equal(reply.status, 200);
    assert.deepEqual(reply.json, { status: 'ok' });
  });
});
