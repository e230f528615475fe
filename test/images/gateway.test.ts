// The platform answers through the gateway container only, and the Kubernetes names reach every replica.
import assert from 'node:assert/strict';
import { docker } from '../../scripts/docker/engine';
import { standInNames } from '../../scripts/docker/standins';
import { serviceAliases } from './apps';
import { containerLogs, HARDENING } from './containers';
import { harness } from './harness';

const REQUEST_TIMEOUT_MS = 10_000;

async function get(
  path: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; type: string; body: string }> {
  const response = await fetch(`${harness().platform.gatewayUrl}${path}`, {
    headers,
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  return { status: response.status, type: response.headers.get('content-type') ?? '', body: await response.text() };
}

/** Addresses a name resolves to on the run's network, asked from a throw-away container (hardened like the rest). */
async function resolve(name: string): Promise<string[]> {
  const { platform } = harness();
  const { stdout } = await docker(
    [
      'run',
      '--rm',
      '--network',
      platform.network,
      ...HARDENING,
      '--user',
      '65534:65534',
      standInNames('amd64').debian,
      'getent',
      'ahostsv4',
      name,
    ],
    { timeoutMs: 60_000, allowFailure: true },
  );
  return [
    ...new Set(
      stdout
        .split('\n')
        .map((line) => line.split(/\s+/)[0])
        .filter((a): a is string => !!a),
    ),
  ].sort();
}

describe('through the gateway (127.0.0.1, the only published port)', function () {
  it('GET /healthz answers 200', async function () {
    const reply = await get('/healthz');
    assert.equal(reply.status, 200, `GET /healthz → ${reply.status}: ${reply.body.slice(0, 300)}`);
  });

  it('GET / serves the web app (books-react) as HTML', async function () {
    const reply = await get('/');
    assert.equal(reply.status, 200, `GET / → ${reply.status}: ${reply.body.slice(0, 300)}`);
    assert.match(reply.type, /text\/html/, `GET / content-type ${reply.type}`);
    assert.match(reply.body, /<html/i);
  });

  it('GET /books answers JSON from books (backed by PostgreSQL)', async function () {
    const reply = await get('/books');
    assert.equal(reply.status, 200, `GET /books → ${reply.status}: ${reply.body.slice(0, 300)}`);
    assert.match(reply.type, /application\/json/, `GET /books content-type ${reply.type}`);
    JSON.parse(reply.body);
  });

  for (const service of ['books-service', 'books-react-service']) {
    it(`${service} and its cluster FQDN resolve to both replicas`, async function () {
      const replicas = harness().platform.containers.filter(
        (c) => c.role === (service === 'books-service' ? 'books' : 'books-react'),
      );
      for (const name of serviceAliases(service)) {
        const addresses = await resolve(name);
        assert.equal(
          addresses.length,
          replicas.length,
          `${name} resolves to [${addresses.join(', ')}], expected ${replicas.length} replica addresses`,
        );
      }
    });
  }

  it('spreads /books requests over both books replicas', async function () {
    const books = harness().platform.containers.filter((c) => c.role === 'books');
    const marker = `images-spread-${Date.now()}`;
    const requests = 40;
    for (let i = 0; i < requests; i++) {
      const reply = await get('/books', { 'x-request-id': `${marker}-${i}` });
      assert.equal(reply.status, 200, `request ${i}: GET /books → ${reply.status}`);
    }
    // books logs the request id on every line (docs/contracts.md); each replica must have served some.
    const served = await Promise.all(
      books.map(async (c) => (await containerLogs(c.name, 10_000_000, 100_000)).split(marker).length - 1),
    );
    for (const [i, count] of served.entries())
      assert.ok(
        count > 0,
        `${books[i]?.name} logged none of ${requests} request ids (per replica: ${served.join(', ')})`,
      );
  });
});
