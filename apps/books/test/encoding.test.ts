import assert from 'node:assert/strict';
import { connect } from 'node:net';
import type { Service } from '../src/service';
import { sharedPostgres } from './support/shared-postgres';
import { apiClient, startTestService, waitReady, type Api } from './support/service';

const USER = 'alice@example.org';

interface RawAnswer {
  status: number;
  head: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, asserted field by field
  body: any;
}

/**
 * Sends bytes exactly as given over a plain TCP socket (fetch and node:http would re-encode an invalid URL or body)
 * and reads the answer until the server closes (`Connection: close`).
 */
function sendRaw(url: string, head: string, body: Buffer = Buffer.alloc(0)): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3}) /.exec(text)?.[1]);
      resolve({ status, head: text.slice(0, split), body: JSON.parse(text.slice(split + 4)) });
    });
    socket.write(
      Buffer.concat([
        Buffer.from(`${head}\r\nHost: ${hostname}\r\nConnection: close\r\n`, 'latin1'),
        Buffer.from(body.length ? `Content-Length: ${body.length}\r\n\r\n` : '\r\n', 'latin1'),
        body,
      ]),
    );
  });
}

/** A JSON document whose title carries `titleBytes` verbatim between the quotes. */
const bookWithTitleBytes = (titleBytes: number[]): Buffer =>
  Buffer.concat([Buffer.from('{"title": "x'), Buffer.from(titleBytes), Buffer.from('y", "author": "A"}')]);

/** Byte sequences that are not UTF-8 (RFC 3629), each a different way of being wrong. */
const INVALID_UTF8: ReadonlyArray<{ name: string; bytes: number[]; escaped: string }> = [
  { name: 'lead byte followed by ASCII (C3 28)', bytes: [0xc3, 0x28], escaped: '%C3%28' },
  { name: 'lone FF', bytes: [0xff], escaped: '%FF' },
  { name: 'lone continuation byte (80)', bytes: [0x80], escaped: '%80' },
  { name: 'overlong "/" (C0 AF)', bytes: [0xc0, 0xaf], escaped: '%C0%AF' },
  { name: 'UTF-16 surrogate (ED A0 80)', bytes: [0xed, 0xa0, 0x80], escaped: '%ED%A0%80' },
  { name: 'beyond U+10FFFF (F4 90 80 80)', bytes: [0xf4, 0x90, 0x80, 0x80], escaped: '%F4%90%80%80' },
  { name: 'truncated three-byte sequence (E2 82)', bytes: [0xe2, 0x82], escaped: '%E2%82' },
];

describe('books API: byte-level encoding of bodies, queries and paths (raw TCP)', function () {
  let service: Service;
  let api: Api;
  let existingId: string;

  before(async function () {
    const postgres = await sharedPostgres();
    service = await startTestService(await postgres.createDatabase());
    api = apiClient(service.url);
    await waitReady(api);
    const created = await api('POST', '/books', { body: { title: 'Kept', author: 'Keeper' }, user: USER });
    assert.equal(created.status, 201);
    existingId = created.body.id;
  });

  after(async () => service?.close());

  async function tableSnapshot(): Promise<string> {
    const listed = await api('GET', '/books?limit=100');
    assert.equal(listed.status, 200);
    return JSON.stringify(listed.body);
  }

  describe('a JSON body that is not UTF-8 is refused with 400 invalid_encoding and stores nothing', function () {
    const writes = [
      { method: 'POST', path: () => '/books', type: 'application/json' },
      { method: 'PUT', path: () => `/books/${existingId}`, type: 'application/json' },
      { method: 'PATCH', path: () => `/books/${existingId}`, type: 'application/merge-patch+json' },
    ];
    for (const write of writes) {
      for (const invalid of INVALID_UTF8) {
        it(`${write.method} ${write.type}: ${invalid.name}`, async function () {
          const before = await tableSnapshot();
          const answer = await sendRaw(
            service.url,
            `${write.method} ${write.path()} HTTP/1.1\r\nContent-Type: ${write.type}\r\nX-Authenticated-User: ${USER}`,
            bookWithTitleBytes(invalid.bytes),
          );
          assert.equal(answer.status, 400, JSON.stringify(answer.body));
          assert.deepEqual(answer.body, {
            error: 'invalid_encoding',
            message: 'The request body is not valid UTF-8.',
            details: { location: 'body' },
          });
          assert.equal(await tableSnapshot(), before, 'the table must not change');
        });
      }
    }

    it('valid multi-byte UTF-8 (2, 3 and 4 bytes) is stored byte for byte', async function () {
      const title = 'é – 書 😀';
      const answer = await sendRaw(
        service.url,
        `POST /books HTTP/1.1\r\nContent-Type: application/json\r\nX-Authenticated-User: ${USER}`,
        Buffer.from(JSON.stringify({ title, author: 'A' }), 'utf8'),
      );
      assert.equal(answer.status, 201, JSON.stringify(answer.body));
      assert.equal(answer.body.title, title);
      assert.equal((await api('GET', `/books/${answer.body.id}`)).body.title, title);
    });
  });

  describe('a query string or path parameter whose percent escapes are malformed or not UTF-8 is a 400', function () {
    const malformed = [
      ...INVALID_UTF8.map(({ name, escaped }) => ({ name, escaped })),
      { name: 'escape with non-hex digits (%ZZ)', escaped: '%ZZ' },
      { name: 'escape cut short at the end (%)', escaped: 'abc%' },
    ];
    for (const { name, escaped } of malformed) {
      it(`?q=: ${name}`, async function () {
        const answer = await sendRaw(service.url, `GET /books?q=${escaped} HTTP/1.1`);
        assert.equal(answer.status, 400, JSON.stringify(answer.body));
        assert.equal(answer.body.error, 'invalid_encoding');
        assert.deepEqual(answer.body.details, { location: 'querystring' });
      });
    }
    for (const { name, escaped } of INVALID_UTF8) {
      it(`/books/:id: ${name}`, async function () {
        const answer = await sendRaw(service.url, `GET /books/${escaped} HTTP/1.1\r\nX-Request-ID: bad-path-1`);
        assert.equal(answer.status, 400, JSON.stringify(answer.body));
        assert.equal(answer.body.error, 'invalid_encoding');
        assert.deepEqual(answer.body.details, { location: 'path' });
        assert.match(answer.head, /^x-request-id: bad-path-1$/im, 'refused before routing, still echoes the id');
      });
    }

    it('a valid percent-encoded UTF-8 search term still finds its book', async function () {
      const created = await api('POST', '/books', { body: { title: 'Café Ἀθῆναι', author: 'B' }, user: USER });
      assert.equal(created.status, 201);
      const answer = await sendRaw(service.url, `GET /books?q=${encodeURIComponent('Ἀθῆναι')} HTTP/1.1`);
      assert.equal(answer.status, 200, JSON.stringify(answer.body));
      assert.deepEqual(
        answer.body.items.map((book: { id: string }) => book.id),
        [created.body.id],
      );
    });
  });
});
