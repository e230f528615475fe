import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call } from './support';

const CHECKED_IN = join(__dirname, '../../../apps/books/openapi.json');

describe('platform: the books API describes itself through the gateway', () => {
  it('serves the OpenAPI document at /books/openapi.json, the same as the checked-in contract', async () => {
    const reply = await call('GET', '/books/openapi.json');
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(reply.json, JSON.parse(readFileSync(CHECKED_IN, 'utf8')));
  });

  it('serves a readable page at /books/docs/ whose scripts and styles load through the gateway too', async () => {
    const page = await call('GET', '/books/docs/');
    assert.equal(page.status, 200, page.text.slice(0, 300));
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    const assets = [...page.text.matchAll(/(?:src|href)="(\.\/[^"]+)"/g)].map((match) => match[1]!);
    assert.ok(assets.length > 0, 'the page references its assets');
    for (const asset of assets) {
      const reply = await call('GET', new URL(asset, new URL('/books/docs/', 'http://x')).pathname);
      assert.equal(reply.status, 200, `${asset}: ${reply.status}`);
    }
  });
});
