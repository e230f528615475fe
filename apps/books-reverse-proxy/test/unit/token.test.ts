import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { createPublicKey } from 'node:crypto';
import { mintToken, parseDuration } from '../../src/token';
import { writeTestKeys, type TestKeys } from '../keys';

const execFileAsync = promisify(execFile);
const appDir = join(__dirname, '../..');
const rootDir = join(appDir, '../..');

describe('token minter', () => {
  let dir: string;
  let keys: TestKeys;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'gw-token-'));
    keys = writeTestKeys(dir);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const base = { sub: 'alice', issuer: 'books-platform', audience: 'books-api', ttlSeconds: 600 };

  it('mints an HS256 token that jose verifies with the key file bytes, with the contract claims', async () => {
    const { jwtVerify } = await import('jose');
    const token = await mintToken({ ...base, alg: 'HS256', key: keys.hs256, scope: 'books:write' });
    const { payload, protectedHeader } = await jwtVerify(token, keys.hs256, {
      issuer: 'books-platform',
      audience: 'books-api',
    });
    assert.equal(protectedHeader.alg, 'HS256');
    assert.equal(payload.sub, 'alice');
    assert.equal(payload.scope, 'books:write');
    assert.equal(payload.exp! - payload.iat!, 600);
    assert.equal(payload.nbf, undefined);
  });

  it('mints an RS256 token from a PEM private key that verifies with the public key', async () => {
    const { jwtVerify } = await import('jose');
    const token = await mintToken({ ...base, alg: 'RS256', key: keys.rsaPrivatePem });
    const { payload, protectedHeader } = await jwtVerify(token, createPublicKey(keys.rsaPublicPem));
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.scope, undefined);
  });

  it('can mint expired and not-yet-valid tokens for tests', async () => {
    const { decodeJwt } = await import('jose');
    const now = 1_800_000_000;
    const expired = decodeJwt(await mintToken({ ...base, alg: 'HS256', key: keys.hs256, ttlSeconds: -60, now }));
    assert.equal(expired.exp, now - 60);
    const future = decodeJwt(await mintToken({ ...base, alg: 'HS256', key: keys.hs256, notBeforeSeconds: 300, now }));
    assert.equal(future.nbf, now + 300);
  });

  const durations: [string, number][] = [
    ['90', 90],
    ['90s', 90],
    ['15m', 900],
    ['1h', 3600],
    ['7d', 604800],
  ];
  for (const [text, seconds] of durations)
    it(`parses the duration ${text}`, () => assert.equal(parseDuration(text), seconds));
  for (const text of ['', '1w', '-1h', '1.5h', 'h'])
    it(`rejects the duration "${text}"`, () => assert.throws(() => parseDuration(text)));

  it('CLI: prints only the token on stdout', async () => {
    const { stdout, stderr } = await execFileAsync(
      'npm',
      ['run', '-s', 'token', '--', '--sub', 'bob', '--scope', 'books:write', '--ttl', '5m', '--key', keys.hs256File],
      { cwd: appDir },
    );
    assert.match(stdout, /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\n$/);
    assert.equal(stderr, '');
    const { jwtVerify } = await import('jose');
    const { payload } = await jwtVerify(stdout.trim(), keys.hs256);
    assert.equal(payload.sub, 'bob');
    assert.equal(payload.exp! - payload.iat!, 300);
  });

  it('CLI: RS256 with a private key file', async () => {
    const { stdout } = await execFileAsync(
      'npm',
      ['run', '-s', 'token', '--', '--sub', 'carol', '--alg', 'RS256', '--key', keys.rsaPrivateFile],
      { cwd: appDir },
    );
    const { jwtVerify } = await import('jose');
    assert.equal((await jwtVerify(stdout.trim(), createPublicKey(keys.rsaPublicPem))).payload.sub, 'carol');
  });

  it('CLI: a relative --key is relative to where npm was run (the root, with -w), not the workspace dir', async () => {
    const { stdout } = await execFileAsync(
      'npm',
      [
        'run',
        '-s',
        'token',
        '-w',
        'apps/books-reverse-proxy',
        '--',
        '--sub',
        'dave',
        '--key',
        relative(rootDir, keys.hs256File),
      ],
      { cwd: rootDir },
    );
    const { jwtVerify } = await import('jose');
    assert.equal((await jwtVerify(stdout.trim(), keys.hs256)).payload.sub, 'dave');
  });

  it('CLI: without npm (no INIT_CWD) a relative --key is relative to the current directory', async () => {
    const { INIT_CWD: _ignored, ...env } = process.env;
    const { stdout } = await execFileAsync(
      process.execPath,
      [
        '-r',
        require.resolve('ts-node/register/transpile-only'),
        join(appDir, 'scripts/token.ts'),
        '--sub',
        'erin',
        '--key',
        'hs256.key',
      ],
      { cwd: dir, env: { ...env, TS_NODE_PROJECT: join(appDir, 'tsconfig.json') } },
    );
    const { jwtVerify } = await import('jose');
    assert.equal((await jwtVerify(stdout.trim(), keys.hs256)).payload.sub, 'erin');
  });

  it('CLI: a relative --key that does not exist where npm was run fails with exit 2', async () => {
    const error = await execFileAsync(
      'npm',
      ['run', '-s', 'token', '-w', 'apps/books-reverse-proxy', '--', '--sub', 'x', '--key', 'hs256.key'],
      { cwd: rootDir },
    ).then(
      () => assert.fail('expected a failure'),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    assert.equal(error.code, 2);
    assert.match(error.stderr, new RegExp(join(rootDir, 'hs256.key')));
  });

  it('CLI: --help explains the options with examples on stdout, exit 0', async () => {
    const { stdout, stderr } = await execFileAsync('npm', ['run', '-s', 'token', '--', '--help'], { cwd: appDir });
    assert.equal(stderr, '');
    for (const part of [/^usage: npm run token/m, /^Options:/m, /--sub USER/, /--key FILE/, /^Examples:/m])
      assert.match(stdout, part);
  });

  /** The CLI run as an operator's shell runs it: no key file named in the environment unless a case sets one. */
  function runWithoutKey(env: NodeJS.ProcessEnv) {
    const { BOOKS_JWT_HS256_KEY_FILE: _file, BOOKS_DEV_STATE_DIR: _state, ...inherited } = process.env;
    return execFileAsync('npm', ['run', '-s', 'token', '--', '--sub', 'frank'], {
      cwd: rootDir,
      env: { ...inherited, ...env },
    });
  }

  it('CLI: without --key, HS256 finds the key `npm run dev` keeps in its state directory', async () => {
    const stateDir = join(dir, 'dev-state');
    mkdirSync(join(stateDir, 'jwt'), { recursive: true });
    copyFileSync(keys.hs256File, join(stateDir, 'jwt', 'hs256.key'));
    const { stdout } = await runWithoutKey({ BOOKS_DEV_STATE_DIR: stateDir });
    const { jwtVerify } = await import('jose');
    assert.equal((await jwtVerify(stdout.trim(), keys.hs256)).payload.sub, 'frank');
  });

  it('CLI: $BOOKS_JWT_HS256_KEY_FILE, when set, is the key', async () => {
    const { stdout } = await runWithoutKey({ BOOKS_JWT_HS256_KEY_FILE: keys.hs256File });
    const { jwtVerify } = await import('jose');
    assert.equal((await jwtVerify(stdout.trim(), keys.hs256)).payload.sub, 'frank');
  });

  it('CLI: without --key and no key where it looks, names every place it looked (exit 2)', async () => {
    const stateDir = join(dir, 'no-dev-state');
    const error = await runWithoutKey({ BOOKS_DEV_STATE_DIR: stateDir }).then(
      () => assert.fail('expected a failure'),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );
    assert.equal(error.code, 2);
    assert.equal(error.stdout, '');
    assert.match(error.stderr, /no HS256 key found/);
    assert.ok(error.stderr.includes(join(stateDir, 'jwt', 'hs256.key')), error.stderr);
    assert.ok(error.stderr.includes('/etc/gateway/jwt/hs256.key'), error.stderr);
    assert.match(error.stderr, /npm run dev/);
  });

  const badArgs: [string, string[], RegExp][] = [
    ['a missing --sub', ['--key', 'KEY'], /--sub is required/],
    ['an unknown algorithm', ['--sub', 'x', '--alg', 'none', '--key', 'KEY'], /--alg must be one of/],
    ['RS256 without --key', ['--sub', 'x', '--alg', 'RS256'], /--key FILE/],
    ['a bad ttl', ['--sub', 'x', '--ttl', 'soon', '--key', 'KEY'], /not a duration/],
    ['an unknown flag', ['--sub', 'x', '--bogus'], /Unknown option/],
  ];
  for (const [name, args, message] of badArgs) {
    it(`CLI: exits 2 with usage on ${name}, printing nothing on stdout`, async () => {
      const argv = args.map((arg) => (arg === 'KEY' ? keys.hs256File : arg));
      const error = await execFileAsync('npm', ['run', '-s', 'token', '--', ...argv], { cwd: appDir }).then(
        () => assert.fail('expected a failure'),
        (e: { code: number; stdout: string; stderr: string }) => e,
      );
      assert.equal(error.code, 2);
      assert.equal(error.stdout, '');
      assert.match(error.stderr, message);
    });
  }
});
