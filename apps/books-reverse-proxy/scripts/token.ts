/**
 * Operator CLI: `npm run token -- --sub <user> [--scope books:write] [--ttl 1h] [--alg HS256|RS256] [--key FILE]
 * [--iss ISSUER] [--aud AUDIENCE] [--nbf 0s]`. Prints only the token on stdout (usable in `$(…)`).
 * Defaults: HS256, 1h, key /etc/gateway/jwt/hs256.key (or $BOOKS_JWT_HS256_KEY_FILE), issuer/audience from
 * $BOOKS_JWT_ISSUER/$BOOKS_JWT_AUDIENCE or the contract's books-platform/books-api. RS256 needs --key with the
 * PEM *private* key (the gateway only holds the public one). Relative key paths are relative to where npm was run.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { jwtAlgorithms, type JwtAlgorithm } from '../src/options';
import { mintToken, parseDuration, readKeyFile } from '../src/token';

/**
 * npm runs workspace scripts in the workspace's directory; a relative path means the directory the operator ran
 * npm in (npm's INIT_CWD), or the current one when run without npm.
 */
const operatorPath = (path: string): string => resolve(process.env.INIT_CWD ?? process.cwd(), path);

const usage =
  'usage: npm run token -- --sub <user> [--scope books:write] [--ttl 1h] [--alg HS256|RS256] [--key FILE] [--iss ISS] [--aud AUD] [--nbf 0s]';

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      sub: { type: 'string' },
      scope: { type: 'string' },
      ttl: { type: 'string', default: '1h' },
      alg: { type: 'string', default: 'HS256' },
      key: { type: 'string' },
      iss: { type: 'string', default: process.env.BOOKS_JWT_ISSUER ?? 'books-platform' },
      aud: { type: 'string', default: process.env.BOOKS_JWT_AUDIENCE ?? 'books-api' },
      nbf: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return;
  }
  if (!values.sub) throw new Error('--sub is required');
  const alg = values.alg as JwtAlgorithm;
  if (!jwtAlgorithms.includes(alg)) throw new Error(`--alg must be one of ${jwtAlgorithms.join(', ')}`);
  const keyFile =
    values.key ??
    (alg === 'HS256' ? (process.env.BOOKS_JWT_HS256_KEY_FILE ?? '/etc/gateway/jwt/hs256.key') : undefined);
  if (!keyFile) throw new Error('--key FILE (a PEM private key) is required for RS256');
  const token = await mintToken({
    alg,
    key: readKeyFile(operatorPath(keyFile)),
    sub: values.sub,
    ...(values.scope === undefined ? {} : { scope: values.scope }),
    issuer: values.iss,
    audience: values.aud,
    ttlSeconds: parseDuration(values.ttl),
    ...(values.nbf === undefined ? {} : { notBeforeSeconds: parseDuration(values.nbf) }),
  });
  process.stdout.write(`${token}\n`);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`token: ${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
  process.exitCode = 2;
});
