// The hostile-input battery: requests that must each be answered 4xx, by the gateway or by books directly.
// All are sent as raw bytes so that nothing (no client library) repairs or refuses them on the way.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Platform } from '../../../../scripts/dev/platform';

export type Target = 'gateway' | 'books';

export interface HostileCase {
  name: string;
  target: Target;
  payload: Buffer;
  /** The exact status when one answer is clearly right; otherwise any 4xx passes. */
  status?: number;
  /**
   * HTTP/0.9 has no status line or headers, so no 4xx can be sent: the answer is the bare JSON error body with this
   * `error`, then a close.
   */
  http09Error?: string;
  /** Answered by the web app (a static path behind `/`), whose 404 is its own page, not the API's JSON error. */
  webApp?: boolean;
}

interface RequestParts {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Omit the Content-Length that is otherwise computed from the body. */
  noContentLength?: boolean;
}

/** A well-formed HTTP/1.1 request (the hostile part is in what it carries). */
function request(host: string, parts: RequestParts): Buffer {
  const body = typeof parts.body === 'string' ? Buffer.from(parts.body) : (parts.body ?? Buffer.alloc(0));
  const headers: Record<string, string> = { host, connection: 'close', ...parts.headers };
  if (parts.body !== undefined && !parts.noContentLength) headers['content-length'] = String(body.length);
  const head = `${parts.method ?? 'GET'} ${parts.path} HTTP/1.1\r\n${Object.entries(headers)
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

const raw = (text: string): Buffer => Buffer.from(text, 'latin1');

/** A JWT with any header and claims, HMAC-signed with any key: for the negatives the platform's minter refuses to make. */
function forgeToken(header: object, claims: object, key: Buffer | null): string {
  const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(claims)}`;
  const signature = key ? createHmac('sha256', key).update(signingInput).digest('base64url') : '';
  return `${signingInput}.${signature}`;
}

const MISSING_ID = '00000000-0000-4000-8000-000000000000';
const VALID_BOOK = JSON.stringify({ title: 'Hostile', author: 'Nobody', year: 1999 });

export async function hostileCases(platform: Platform, existingId: string): Promise<HostileCase[]> {
  const gatewayHost = new URL(platform.url).host;
  const booksHost = new URL(platform.books[0].url).host;
  const now = Math.floor(Date.now() / 1000);
  const mint = platform.mintToken;
  const tokens = {
    expired: await mint({ sub: 'mallory', scope: 'books:write', ttlSeconds: -3600 }),
    notYetValid: await mint({ sub: 'mallory', scope: 'books:write', notBeforeSeconds: 3600 }),
    otherIssuer: await mint({ sub: 'mallory', scope: 'books:write', issuer: 'evil' }),
    otherAudience: await mint({ sub: 'mallory', scope: 'books:write', audience: 'other-api' }),
    readScope: await mint({ sub: 'mallory', scope: 'books:read' }),
    lookalikeScope: await mint({ sub: 'mallory', scope: 'books:writer' }),
    rs256Expired: await mint({ sub: 'mallory', scope: 'books:write', ttlSeconds: -3600, alg: 'RS256' }),
  };
  const hsKey = readFileSync(platform.jwt.hs256KeyFile);
  const claims = {
    iss: platform.jwt.issuer,
    aud: platform.jwt.audience,
    sub: 'mallory',
    scope: 'books:write',
    iat: now,
    exp: now + 600,
  };
  const write = (token: string, body: string | Buffer = VALID_BOOK): RequestParts => ({
    method: 'POST',
    path: '/books',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });
  const json = (body: string | Buffer, path = '/books', method = 'POST'): RequestParts => ({
    ...write(platform.writeToken, body),
    method,
    path,
  });
  const viaGateway = (name: string, parts: RequestParts, status?: number): HostileCase => ({
    name,
    target: 'gateway',
    payload: request(gatewayHost, parts),
    status,
  });
  const viaWebApp = (name: string, parts: RequestParts): HostileCase => ({ ...viaGateway(name, parts), webApp: true });
  const rawGateway = (name: string, text: string, status?: number): HostileCase => ({
    name,
    target: 'gateway',
    payload: raw(text.replaceAll('{host}', gatewayHost)),
    status,
  });

  return [
    // --- malformed HTTP, straight to the gateway's parser
    rawGateway('garbage request line', 'HELLO\r\n\r\n', 400),
    rawGateway('lowercase method', 'get /books HTTP/1.1\r\nHost: {host}\r\n\r\n', 400),
    // Without a version nginx takes it for HTTP/0.9 (no status line in the answer): it must not serve it.
    {
      ...rawGateway('request line without version (HTTP/0.9)', 'GET /books\r\nHost: {host}\r\n\r\n'),
      http09Error: 'unsupported_http_version',
    },
    rawGateway('HTTP/1.1 without Host', 'GET /books HTTP/1.1\r\nConnection: close\r\n\r\n', 400),
    rawGateway(
      'two Host headers',
      'GET /books HTTP/1.1\r\nHost: {host}\r\nHost: evil\r\nConnection: close\r\n\r\n',
      400,
    ),
    rawGateway('HTTP/2.0 in an HTTP/1 request line', 'GET /books HTTP/2.0\r\nHost: {host}\r\n\r\n'),
    rawGateway('HTTP/9.9', 'GET /books HTTP/9.9\r\nHost: {host}\r\n\r\n'),
    rawGateway('NUL byte in the URI', 'GET /bo\u0000oks HTTP/1.1\r\nHost: {host}\r\n\r\n', 400),
    rawGateway('control character in the URI', 'GET /books\u0007 HTTP/1.1\r\nHost: {host}\r\n\r\n', 400),
    rawGateway('NUL byte in a header value', 'GET /books HTTP/1.1\r\nHost: {host}\r\nX-A: a\u0000b\r\n\r\n', 400),
    rawGateway('obsolete header folding', 'GET /books HTTP/1.1\r\nHost: {host}\r\nX-A: 1\r\n  folded\r\n\r\n', 400),
    rawGateway('bare LF line endings with a bad header', 'GET /books HTTP/1.1\nHost: {host}\nBad Header: x\n\n', 400),
    // --- methods
    rawGateway('unknown method', 'FOO /books HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n', 405),
    rawGateway('TRACE', 'TRACE /books HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n', 405),
    rawGateway('CONNECT', 'CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: {host}\r\n\r\n'),
    rawGateway('PROPFIND', 'PROPFIND / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n', 405),
    // --- sizes
    viaGateway('URI of 20 KiB', { path: `/books?q=${'a'.repeat(20_000)}` }, 414),
    viaGateway('one header of 16 KiB', { path: '/books', headers: { 'x-big': 'b'.repeat(16_384) } }, 431),
    viaGateway(
      'headers of 40 KiB in total',
      {
        path: '/books',
        headers: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`x-h${i}`, 'c'.repeat(4_000)])),
      },
      431,
    ),
    viaGateway('body of 2 MiB', json(Buffer.alloc(2 * 1024 * 1024, 0x61)), 413),
    viaGateway(
      'announced body of 2 GiB',
      { ...json(''), headers: { ...json('').headers, 'content-length': String(2 ** 31) }, noContentLength: true },
      413,
    ),
    // --- framing conflicts (request smuggling shapes)
    rawGateway(
      'Content-Length and Transfer-Encoding together',
      'POST /books HTTP/1.1\r\nHost: {host}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
    ),
    rawGateway(
      'two different Content-Lengths',
      'POST /books HTTP/1.1\r\nHost: {host}\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
      400,
    ),
    rawGateway('negative Content-Length', 'POST /books HTTP/1.1\r\nHost: {host}\r\nContent-Length: -1\r\n\r\n', 400),
    rawGateway(
      'non-numeric Content-Length',
      'POST /books HTTP/1.1\r\nHost: {host}\r\nContent-Length: 1e3\r\n\r\n',
      400,
    ),
    rawGateway('unknown Transfer-Encoding', 'POST /books HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: gzip\r\n\r\n'),
    rawGateway(
      'Transfer-Encoding: chunked, chunked',
      'POST /books HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n',
    ),
    rawGateway(
      'Transfer-Encoding with HTTP/1.0',
      'POST /books HTTP/1.0\r\nHost: {host}\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
    ),
    rawGateway(
      'invalid chunk size without a token (found while the 401 page discards the body)',
      'POST /books HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
      400,
    ),
    rawGateway(
      'invalid chunk size',
      `POST /books HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer ${platform.writeToken}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      400,
    ),
    // --- path traversal and odd paths (the static web app behind `/`)
    viaGateway('dot-dot above the root', { path: '/../../etc/passwd' }, 400),
    viaGateway('encoded dot-dot above the root', { path: '/%2e%2e/%2e%2e/etc/passwd' }, 400),
    viaGateway('encoded slashes and dot-dots', { path: '/assets/..%2f..%2f..%2f..%2fetc%2fpasswd' }, 400),
    viaWebApp('double-encoded traversal', { path: '/assets/%252e%252e%252f%252e%252e%252fetc%252fpasswd' }),
    viaWebApp('backslash traversal', { path: '/assets/..\\..\\..\\etc\\passwd' }),
    viaWebApp('overlong UTF-8 dot-dot', { path: '/assets/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd' }),
    viaWebApp('dot-file probe', { path: '/.env' }),
    // --- the API's inputs
    viaGateway('invalid JSON', json('{"title": "x",'), 400),
    viaGateway('JSON array instead of object', json('[1,2,3]'), 400),
    viaGateway('JSON null', json('null'), 400),
    viaGateway('title is a number', json('{"title": 42, "author": "a"}'), 400),
    viaGateway('year is a string', json('{"title": "t", "author": "a", "year": "1999"}'), 400),
    viaGateway('year out of range', json('{"title": "t", "author": "a", "year": 99999}'), 400),
    viaGateway('missing author', json('{"title": "t"}'), 400),
    viaGateway('unknown field', json('{"title": "t", "author": "a", "admin": true}'), 400),
    // Characters PostgreSQL text cannot hold, or that are not Unicode: refused at the edge, never a 500.
    viaGateway('NUL in the title', json('{"title": "a\\u0000b", "author": "a"}'), 400),
    viaGateway('lone surrogate in the author', json('{"title": "t", "author": "\\ud800"}'), 400),
    viaGateway('NUL in the search text', { path: '/books?q=a%00b' }, 400),
    viaGateway('a float written as an exponent for offset', { path: '/books?offset=1e3' }, 400),
    viaGateway('a duplicate key', json('{"title": "t", "title": "u", "author": "a"}'), 400),
    viaGateway(
      'a UTF-16 charset',
      {
        ...json(VALID_BOOK),
        headers: { ...json(VALID_BOOK).headers, 'content-type': 'application/json; charset=utf-16' },
      },
      415,
    ),
    viaGateway('__proto__ pollution', json('{"title": "t", "author": "a", "__proto__": {"isAdmin": true}}'), 400),
    viaGateway('blank title', json('{"title": "   ", "author": "a"}'), 400),
    viaGateway('title of 10,000 characters', json(JSON.stringify({ title: 't'.repeat(10_000), author: 'a' })), 400),
    viaGateway('SQL in the ISBN', json(`{"title": "t", "author": "a", "isbn": "'; DROP TABLE books; --"}`), 400),
    viaGateway(
      'non-UTF-8 bytes in the title',
      json(Buffer.concat([raw('{"title": "'), Buffer.from([0xff, 0xfe, 0xc3, 0x28]), raw('", "author": "a"}')])),
      400,
    ),
    viaGateway(
      'deeply nested JSON',
      json('{"title": ' + '['.repeat(5_000) + ']'.repeat(5_000) + ', "author": "a"}'),
      400,
    ),
    viaGateway(
      'JSON body sent as text/plain',
      {
        ...json(VALID_BOOK),
        headers: { authorization: `Bearer ${platform.writeToken}`, 'content-type': 'text/plain' },
      },
      415,
    ),
    viaGateway('empty PATCH', json('{}', `/books/${existingId}`, 'PATCH'), 400),
    viaGateway('PATCH with null title', json('{"title": null}', `/books/${existingId}`, 'PATCH'), 400),
    viaGateway('PUT to a missing book', json(VALID_BOOK, `/books/${MISSING_ID}`, 'PUT'), 404),
    viaGateway(
      'DELETE a missing book',
      { method: 'DELETE', path: `/books/${MISSING_ID}`, headers: { authorization: `Bearer ${platform.writeToken}` } },
      404,
    ),
    viaGateway('id that is not a UUID', { path: '/books/12345' }, 400),
    viaGateway('SQL in the id', { path: `/books/${encodeURIComponent("1' OR '1'='1")}` }, 400),
    viaGateway('SQL in the sort key', { path: `/books?sort=${encodeURIComponent('title; DROP TABLE books')}` }, 400),
    viaGateway('negative limit', { path: '/books?limit=-1' }, 400),
    viaGateway('limit not a number', { path: '/books?limit=abc' }, 400),
    viaGateway('offset beyond the maximum', { path: '/books?offset=99999999999' }, 400),
    viaGateway('unknown query parameter', { path: '/books?debug=true' }, 400),
    viaGateway('search term of 1,000 characters', { path: `/books?q=${'q'.repeat(1_000)}` }, 400),
    viaGateway('invalid UTF-8 in the search term', { path: '/books?q=%FF%FE%C3%28' }, 400),
    // --- identity and tokens
    viaGateway('write without a token', { ...json(VALID_BOOK), headers: { 'content-type': 'application/json' } }, 401),
    viaGateway(
      'forged X-Authenticated-User without a token',
      { ...json(VALID_BOOK), headers: { 'content-type': 'application/json', 'x-authenticated-user': 'admin' } },
      401,
    ),
    viaGateway(
      'Basic credentials instead of a bearer token',
      { ...json(VALID_BOOK), headers: { 'content-type': 'application/json', authorization: 'Basic YWRtaW46YWRtaW4=' } },
      401,
    ),
    viaGateway('empty bearer token', write(''), 401),
    viaGateway('malformed token', write('not.a.jwt'), 401),
    viaGateway('token with alg none', write(forgeToken({ alg: 'none', typ: 'JWT' }, claims, null)), 401),
    viaGateway(
      'token with a wrong signature',
      write(forgeToken({ alg: 'HS256', typ: 'JWT' }, claims, Buffer.from('not-the-key'))),
      401,
    ),
    viaGateway(
      'RS256 public key used as an HS256 secret',
      write(forgeToken({ alg: 'HS256', typ: 'JWT' }, claims, readFileSync(platform.jwt.rs256PublicKeyFile))),
      401,
    ),
    viaGateway('token with alg HS512', write(forgeToken({ alg: 'HS512', typ: 'JWT' }, claims, hsKey)), 401),
    viaGateway('expired token', write(tokens.expired), 401),
    viaGateway('token not valid yet (nbf)', write(tokens.notYetValid), 401),
    viaGateway('expired RS256 token', write(tokens.rs256Expired), 401),
    viaGateway('token from another issuer', write(tokens.otherIssuer), 401),
    viaGateway('token for another audience', write(tokens.otherAudience), 401),
    viaGateway(
      'token without sub',
      write(forgeToken({ alg: 'HS256', typ: 'JWT' }, { ...claims, sub: undefined }, hsKey)),
      401,
    ),
    viaGateway('token without the write scope', write(tokens.readScope), 403),
    viaGateway('token with a scope that only contains the name', write(tokens.lookalikeScope), 403),
    // --- books directly (behind the gateway in production, but it must hold on its own)
    {
      name: 'books: write without X-Authenticated-User',
      target: 'books',
      payload: request(booksHost, { ...json(VALID_BOOK), headers: { 'content-type': 'application/json' } }),
      status: 401,
    },
    {
      name: 'books: invalid JSON',
      target: 'books',
      payload: request(booksHost, {
        ...json('{'),
        headers: { 'content-type': 'application/json', 'x-authenticated-user': 'tester' },
      }),
      status: 400,
    },
    { name: 'books: malformed request line', target: 'books', payload: raw('HELLO WORLD\r\n\r\n'), status: 400 },
    {
      name: 'books: unknown method',
      target: 'books',
      payload: raw(`FOO /books HTTP/1.1\r\nHost: ${booksHost}\r\n\r\n`),
    },
    {
      name: 'books: Content-Length and Transfer-Encoding',
      target: 'books',
      payload: raw(
        `POST /books HTTP/1.1\r\nHost: ${booksHost}\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      ),
      status: 400,
    },
    {
      name: 'books: 64 KiB header',
      target: 'books',
      payload: request(booksHost, { path: '/books', headers: { 'x-big': 'b'.repeat(65_536) } }),
      status: 431,
    },
    {
      name: 'books: SQL in the id',
      target: 'books',
      payload: request(booksHost, { path: `/books/${encodeURIComponent("'; DELETE FROM books; --")}` }),
      status: 400,
    },
  ];
}
