/**
 * TLS termination with a self-signed certificate: HTTPS serves with HSTS, plain HTTP redirects (308) except /healthz.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { freePort } from '../../../../scripts/dev/ports';
import { selfSignedCertificate, send, startFixture, type Fixture, type Reply } from './support';

function sendTls(url: string, ca: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, agent: false }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('gateway TLS termination (real nginx)', () => {
  let fx: Fixture;
  let ca: string;
  let httpsPort: number;
  before(async () => {
    httpsPort = await freePort();
    fx = await startFixture('tls', {
      overrides: (o) => {
        const dir = o.paths.tempDir;
        mkdirSync(dir, { recursive: true });
        const { certificateFile, keyFile } = selfSignedCertificate(dir, '/CN=127.0.0.1', [
          '-addext',
          'subjectAltName=IP:127.0.0.1',
        ]);
        return {
          ...o,
          tls: {
            port: httpsPort,
            certificateFile,
            keyFile,
            redirectPort: httpsPort,
          },
        };
      },
    });
    ca = readFileSync(join(fx.gateway.options.paths.tempDir, 'tls.crt'), 'utf8');
  });
  after(() => fx.stop());

  it('plain HTTP redirects to HTTPS with a 308, path and query kept, nothing upstream', async () => {
    const reply = await send(`${fx.gateway.url}/books/1?x=y`, { method: 'POST' });
    assert.equal(reply.status, 308);
    assert.equal(reply.headers.location, `https://127.0.0.1:${httpsPort}/books/1?x=y`);
    assert.equal(fx.backends.books![0]!.requests.length, 0);
  });

  it('/healthz still answers on the plain port (probes)', async () => {
    assert.equal((await send(`${fx.gateway.url}/healthz`)).status, 200);
  });

  it('HTTPS serves the routes with HSTS and the security headers', async () => {
    const reply = await sendTls(`https://127.0.0.1:${httpsPort}/books`, ca);
    assert.equal(reply.status, 200);
    assert.equal(JSON.parse(reply.body).backend, 'books-0');
    assert.equal(reply.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
    assert.equal(reply.headers['x-content-type-options'], 'nosniff');
    assert.equal(fx.backends.books![0]!.requests.at(-1)!.headers['x-forwarded-proto'], 'https');
  });

  it('HTTPS errors are JSON and carry HSTS too', async () => {
    const reply = await sendTls(`https://127.0.0.1:${httpsPort}/books`, ca, 'POST');
    assert.equal(reply.status, 401);
    assert.equal(JSON.parse(reply.body).error, 'unauthenticated');
    assert.equal(reply.headers['strict-transport-security'], 'max-age=31536000; includeSubDomains');
  });
});
