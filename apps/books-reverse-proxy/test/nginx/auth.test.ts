/**
 * JWT checks of the njs module on real nginx: every negative answers 401/403 JSON with a Bearer challenge and
 * nothing reaches upstream; valid HS256 and RS256 tokens pass with their `sub` as X-Authenticated-User.
 */
import assert from 'node:assert/strict';
import { createHmac, createSign, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mintToken } from '../../src/token';
import { allRequests, jsonError, send, startFixture, type Fixture } from './support';

const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** Hand-built tokens for the cases a correct minter refuses to produce. */
function signRaw(header: object, claims: object, sign: (input: string) => Buffer): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(sign(input))}`;
}
const hmac = (key: Buffer | string) => (input: string) => createHmac('sha256', key).update(input).digest();
const rsa = (privatePem: string) => (input: string) => createSign('RSA-SHA256').update(input).sign(privatePem);

describe('gateway JWT authentication (real nginx + njs)', () => {
  let fx: Fixture;
  const now = () => Math.floor(Date.now() / 1000);
  const claims = (extra: object = {}) => ({
    iss: 'books-platform',
    aud: 'books-api',
    sub: 'alice',
    scope: 'books:write',
    iat: now(),
    exp: now() + 300,
    ...extra,
  });
  const hs = (extra: object = {}, header: object = { alg: 'HS256', typ: 'JWT' }) =>
    signRaw(header, claims(extra), hmac(fx.keys.hs256));
  const rs = (extra: object = {}) => signRaw({ alg: 'RS256', typ: 'JWT' }, claims(extra), rsa(fx.keys.rsaPrivatePem));

  before(async () => {
    fx = await startFixture('auth');
  });
  after(() => fx.stop());

  async function expectRejected(headers: Record<string, string>, status: 401 | 403, reason: string, method = 'POST') {
    const before = allRequests(fx).length;
    const reply = await send(`${fx.gateway.url}/books`, {
      method,
      headers: { 'Content-Type': 'application/json', ...headers },
      body: '{"title":"x"}',
    });
    assert.equal(reply.status, status, reply.body);
    const body = jsonError(reply);
    assert.equal(body.details.reason, reason);
    assert.equal(body.error, status === 401 ? 'unauthenticated' : 'forbidden');
    assert.match(String(reply.headers['www-authenticate']), /^Bearer realm="books"/);
    assert.equal(reply.headers['x-content-type-options'], 'nosniff', 'security headers on errors');
    assert.equal(reply.headers['x-gateway-user'], undefined);
    assert.equal(reply.headers['x-gateway-auth-error'], undefined);
    assert.equal(allRequests(fx).length, before, 'nothing reached upstream');
  }

  const negatives: [string, () => Record<string, string>, 401 | 403, string][] = [
    ['no token', () => ({}), 401, 'missing_token'],
    ['only a client-sent X-Authenticated-User', () => ({ 'X-Authenticated-User': 'admin' }), 401, 'missing_token'],
    ['Basic credentials', () => ({ Authorization: 'Basic YWxpY2U6c2VjcmV0' }), 401, 'malformed_token'],
    ['a token that is not a JWT', () => ({ Authorization: 'Bearer not-a-jwt' }), 401, 'malformed_token'],
    ['four segments', () => ({ Authorization: `Bearer ${hs()}.x` }), 401, 'malformed_token'],
    [
      'a non-JSON header',
      () => ({ Authorization: `Bearer ${b64url('{oops')}.${b64url('{}')}.c2ln` }),
      401,
      'malformed_token',
    ],
    [
      'alg none, empty signature',
      () => ({ Authorization: `Bearer ${b64url('{"alg":"none"}')}.${b64url(JSON.stringify(claims()))}.` }),
      401,
      'malformed_token',
    ],
    [
      'alg none with a signature',
      () => ({ Authorization: `Bearer ${signRaw({ alg: 'none' }, claims(), hmac(fx.keys.hs256))}` }),
      401,
      'algorithm_not_allowed',
    ],
    [
      'alg NONE',
      () => ({ Authorization: `Bearer ${signRaw({ alg: 'NONE' }, claims(), hmac(fx.keys.hs256))}` }),
      401,
      'algorithm_not_allowed',
    ],
    [
      'an unconfigured algorithm (HS512)',
      () => ({ Authorization: `Bearer ${signRaw({ alg: 'HS512' }, claims(), hmac(fx.keys.hs256))}` }),
      401,
      'algorithm_not_allowed',
    ],
    [
      'HS/RS confusion: HS256 keyed with the RS256 public key',
      () => ({ Authorization: `Bearer ${signRaw({ alg: 'HS256' }, claims(), hmac(fx.keys.rsaPublicPem))}` }),
      401,
      'invalid_signature',
    ],
    [
      'HS256 signed with another secret',
      () => ({ Authorization: `Bearer ${signRaw({ alg: 'HS256' }, claims(), hmac(randomBytes(32)))}` }),
      401,
      'invalid_signature',
    ],
    [
      'a tampered payload (sub changed)',
      () => {
        const [h, , s] = hs().split('.');
        return { Authorization: `Bearer ${h}.${b64url(JSON.stringify(claims({ sub: 'root' })))}.${s}` };
      },
      401,
      'invalid_signature',
    ],
    [
      'RS256 with a bad signature',
      () => ({ Authorization: `Bearer ${rs().slice(0, -6)}AAAAAA` }),
      401,
      'invalid_signature',
    ],
    [
      'a crit header',
      () => ({ Authorization: `Bearer ${hs({}, { alg: 'HS256', crit: ['exp'] })}` }),
      401,
      'malformed_token',
    ],
    ['expired beyond the skew', () => ({ Authorization: `Bearer ${hs({ exp: now() - 120 })}` }), 401, 'token_expired'],
    ['no exp', () => ({ Authorization: `Bearer ${hs({ exp: undefined })}` }), 401, 'invalid_claims'],
    [
      'not yet valid beyond the skew',
      () => ({ Authorization: `Bearer ${hs({ nbf: now() + 120 })}` }),
      401,
      'token_not_yet_valid',
    ],
    ['a wrong issuer', () => ({ Authorization: `Bearer ${hs({ iss: 'evil' })}` }), 401, 'invalid_issuer'],
    ['a wrong audience', () => ({ Authorization: `Bearer ${hs({ aud: 'other-api' })}` }), 401, 'invalid_audience'],
    [
      'an audience list without ours',
      () => ({ Authorization: `Bearer ${hs({ aud: ['a', 'b'] })}` }),
      401,
      'invalid_audience',
    ],
    ['no sub', () => ({ Authorization: `Bearer ${hs({ sub: undefined })}` }), 401, 'invalid_claims'],
    [
      'a sub with a line break',
      () => ({ Authorization: `Bearer ${hs({ sub: 'a\r\nX-Evil: 1' })}` }),
      401,
      'invalid_claims',
    ],
    // X-Authenticated-User's contract (1-128 visible ASCII): books would refuse it naming a header the client never
    // sent, so the gateway refuses the token itself.
    ['a sub with a space', () => ({ Authorization: `Bearer ${hs({ sub: 'alice smith' })}` }), 401, 'invalid_claims'],
    [
      'a sub of 129 characters',
      () => ({ Authorization: `Bearer ${hs({ sub: 'a'.repeat(129) })}` }),
      401,
      'invalid_claims',
    ],
    ['no scope', () => ({ Authorization: `Bearer ${hs({ scope: undefined })}` }), 403, 'insufficient_scope'],
    [
      'a read-only scope',
      () => ({ Authorization: `Bearer ${rs({ scope: 'books:read profile' })}` }),
      403,
      'insufficient_scope',
    ],
    [
      'a scope that only starts like ours',
      () => ({ Authorization: `Bearer ${hs({ scope: 'books:writer' })}` }),
      403,
      'insufficient_scope',
    ],
  ];
  for (const [name, headers, status, reason] of negatives) {
    it(`rejects ${name} → ${status} ${reason}`, () => expectRejected(headers(), status, reason));
  }

  for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    it(`protects ${method} on /books and /books/…`, async () => {
      await expectRejected({}, 401, 'missing_token', method);
      const reply = await send(`${fx.gateway.url}/books/1`, { method });
      assert.equal(reply.status, 401);
    });
  }

  it('a 401 challenge names the problem (RFC 6750)', async () => {
    const reply = await send(`${fx.gateway.url}/books`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${hs({ iss: 'x' })}` },
    });
    assert.equal(
      reply.headers['www-authenticate'],
      'Bearer realm="books", error="invalid_token", error_description="wrong issuer"',
    );
    const forbidden = await send(`${fx.gateway.url}/books`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${hs({ scope: '' })}` },
    });
    assert.equal(
      forbidden.headers['www-authenticate'],
      'Bearer realm="books", error="insufficient_scope", error_description="scope required", scope="books:write"',
    );
  });

  const positives: [string, () => string][] = [
    ['HS256', () => hs()],
    ['RS256', () => rs({ sub: 'bob' })],
    ['a sub of 128 visible characters', () => hs({ sub: `${'a'.repeat(120)}@example` })],
    [
      'an audience list containing ours and several scopes',
      () => hs({ aud: ['x', 'books-api'], scope: 'profile books:write' }),
    ],
    ['exp just past but within the skew', () => hs({ exp: now() - 5 })],
    ['nbf just ahead but within the skew', () => hs({ nbf: now() + 5 })],
  ];
  for (const [name, token] of positives) {
    it(`accepts ${name}; sub goes upstream as X-Authenticated-User, replacing a forged one`, async () => {
      const jwt = token();
      const sub = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).sub as string;
      const reply = await send(`${fx.gateway.url}/books`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${jwt}`,
          'X-Authenticated-User': 'mallory',
          'Content-Type': 'application/json',
        },
        body: '{"title":"ok"}',
      });
      assert.equal(reply.status, 200, reply.body);
      const seen = fx.backends.books![0]!.requests.at(-1)!;
      assert.equal(seen.method, 'POST');
      assert.equal(seen.body, '{"title":"ok"}');
      assert.equal(seen.headers['x-authenticated-user'], sub);
      assert.equal(seen.headers['x-gateway-user'], undefined);
    });
  }

  it('accepts tokens from the minter (the CLI path) for writes and ignores tokens on reads', async () => {
    const token = await mintToken({
      alg: 'RS256',
      key: fx.keys.rsaPrivatePem,
      sub: 'carol',
      scope: 'books:write',
      issuer: 'books-platform',
      audience: 'books-api',
      ttlSeconds: 60,
    });
    assert.equal(
      (await send(`${fx.gateway.url}/books/3`, { method: 'DELETE', headers: { Authorization: `Bearer ${token}` } }))
        .status,
      200,
    );
    const read = await send(`${fx.gateway.url}/books`, { headers: { Authorization: 'Bearer garbage' } });
    assert.equal(read.status, 200, 'reads stay public, even with a bad token');
    assert.equal(fx.backends.books![0]!.requests.at(-1)!.headers['x-authenticated-user'], undefined);
  });

  it("an authenticated write (auth subrequest first) keeps the upstream's Content-Security-Policy", async () => {
    fx.backends.books![0]!.handle((_req, res) => {
      res.setHeader('Content-Security-Policy', "default-src 'none'");
      res.end('{}');
    });
    try {
      const reply = await send(`${fx.gateway.url}/books`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${hs()}` },
      });
      assert.equal(reply.status, 200, reply.body);
      assert.equal(reply.headers['content-security-policy'], "default-src 'none'");
    } finally {
      fx.backends.books![0]!.handle(null);
    }
  });

  it('key rotation: a new key file applies to the next request without a reload', async () => {
    const oldToken = hs();
    const newKey = randomBytes(32);
    writeFileSync(fx.keys.hs256File, newKey);
    try {
      await expectRejected({ Authorization: `Bearer ${oldToken}` }, 401, 'invalid_signature');
      const fresh = signRaw({ alg: 'HS256' }, claims(), hmac(newKey));
      assert.equal(
        (await send(`${fx.gateway.url}/books`, { method: 'POST', headers: { Authorization: `Bearer ${fresh}` } }))
          .status,
        200,
      );
    } finally {
      writeFileSync(fx.keys.hs256File, fx.keys.hs256);
    }
  });

  describe('with an RS256-only allow-list', () => {
    let rsOnly: Fixture;
    before(async () => {
      rsOnly = await startFixture('auth-rs', {
        overrides: (o) => ({ ...o, jwt: { ...o.jwt, algorithms: ['RS256'] } }),
      });
    });
    after(() => rsOnly.stop());

    it('rejects a valid HS256 token and accepts RS256', async () => {
      const hsToken = signRaw({ alg: 'HS256' }, claims(), hmac(rsOnly.keys.hs256));
      const rejected = await send(`${rsOnly.gateway.url}/books`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${hsToken}` },
      });
      assert.equal(rejected.status, 401);
      assert.equal(jsonError(rejected).details.reason, 'algorithm_not_allowed');
      const rsToken = signRaw({ alg: 'RS256' }, claims(), rsa(rsOnly.keys.rsaPrivatePem));
      assert.equal(
        (await send(`${rsOnly.gateway.url}/books`, { method: 'POST', headers: { Authorization: `Bearer ${rsToken}` } }))
          .status,
        200,
      );
      assert.equal(allRequests(rsOnly).length, 1);
    });
  });
});
