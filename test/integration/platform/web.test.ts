import assert from 'node:assert/strict';
import { call, platformEnv } from './support';

describe('platform: the web app behind the gateway', () => {
  let indexHtml = '';
  before(async () => {
    indexHtml = (await call('GET', '/')).text;
  });

  it('serves the app at /', async () => {
    const reply = await call('GET', '/');
    assert.equal(reply.status, 200);
    assert.match(reply.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(reply.text, /<div id="root"><\/div>/);
  });

  it('serves the built assets the page references', async () => {
    const scripts = [...indexHtml.matchAll(/<script[^>]+src="([^"]+)"/g)].map((match) => match[1] as string);
    assert.ok(scripts.length > 0, 'index.html references no script');
    for (const src of scripts) {
      assert.doesNotMatch(src, /\/src\//, `index.html is the unbuilt source (${src})`);
      const asset = await call('GET', src);
      assert.equal(asset.status, 200, src);
      assert.match(asset.headers.get('content-type') ?? '', /javascript/, src);
    }
  });

  it('falls back to the app for client-side paths (SPA fallback)', async () => {
    for (const path of ['/new', '/some/deep/link', '/index']) {
      const reply = await call('GET', path);
      assert.equal(reply.status, 200, path);
      assert.match(reply.headers.get('content-type') ?? '', /^text\/html/, path);
      assert.equal(reply.text, indexHtml, path);
    }
  });

  it('serves the icons the page links, and a real /favicon.ico for clients that ask without looking', async () => {
    const icons = [...indexHtml.matchAll(/<link rel="icon" href="([^"]+)"/g)].map((match) => match[1] as string);
    assert.ok(icons.includes('/favicon.ico'), `index.html does not link /favicon.ico (${icons.join(', ')})`);
    for (const icon of icons) {
      const reply = await call('GET', icon);
      assert.equal(reply.status, 200, icon);
      assert.match(reply.headers.get('content-type') ?? '', /^image\//, icon);
    }
    const ico = await fetch(new URL('/favicon.ico', platformEnv().url));
    assert.equal(ico.headers.get('content-type'), 'image/x-icon');
    const bytes = new Uint8Array(await ico.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 4)], [0, 0, 1, 0], 'not an ICO file (reserved 0, type 1)');
  });

  it('answers 404, not the app, for a missing asset', async () => {
    const reply = await call('GET', '/assets/does-not-exist-0000.js');
    assert.equal(reply.status, 404);
  });
});
