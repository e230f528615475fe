/**
 * Operator CLI behind `npm run token`: mints a gateway token and prints only the token on stdout (usable in `$(…)`).
 * `npm run token -- --help` for the options. Exit 0 with a token (or the help), 2 with the usage on any mistake.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { jwtKeyFiles } from '../../../scripts/dev/keys';
import { defaultStateDir, jwtKeyDir } from '../../../scripts/dev/state';
import { defaultGatewayOptions, jwtAlgorithms, type JwtAlgorithm } from '../src/options';
import { mintToken, parseDuration, readKeyFile } from '../src/token';

/**
 * npm runs workspace scripts in the workspace's directory; a relative path means the directory the operator ran
 * npm in (npm's INIT_CWD), or the current one when run without npm.
 */
const operatorPath = (path: string): string => resolve(process.env.INIT_CWD ?? process.cwd(), path);

const USAGE = 'usage: npm run token -- --sub <user> [--scope SCOPES] [--ttl 1h] [--alg HS256|RS256] [--key FILE] …';

const HELP = `Mints a JWT for the books gateway and prints only the token.

${USAGE}

Options:
  --sub USER        the token's subject, the user books records as author of changes (required)
  --scope SCOPES    space-separated scopes, e.g. books:write (default: none, which allows reads only)
  --ttl DURATION    lifetime: 90, 90s, 15m, 1h, 7d (default 1h)
  --alg ALG         HS256 (default) or RS256
  --key FILE        HS256: the shared secret file; RS256: the PEM private key (required for RS256).
                    A relative path is relative to where npm was run. Without --key, HS256 uses the first that
                    exists of: $BOOKS_JWT_HS256_KEY_FILE (only it, when set), the key of \`npm run dev\`
                    ($BOOKS_DEV_STATE_DIR or .cache/dev, then jwt/hs256.key), /etc/gateway/jwt/hs256.key
  --iss ISSUER      default $BOOKS_JWT_ISSUER or books-platform
  --aud AUDIENCE    default $BOOKS_JWT_AUDIENCE or books-api
  --nbf DURATION    not valid before now + DURATION (default: no nbf claim)
  -h, --help        this text

Examples:
  npm run token -- --sub alice --scope books:write
  TOKEN=$(npm run -s token -- --sub alice --scope books:write --ttl 15m)
  npm run token -- --sub ops --alg RS256 --key secrets/rs256.key.pem`;

/** Where an HS256 key is looked for without --key, in order, each with what it is. */
function hs256KeyCandidates(env: NodeJS.ProcessEnv): { file: string; what: string }[] {
  if (env.BOOKS_JWT_HS256_KEY_FILE) return [{ file: env.BOOKS_JWT_HS256_KEY_FILE, what: '$BOOKS_JWT_HS256_KEY_FILE' }];
  return [
    { file: jwtKeyFiles(jwtKeyDir(defaultStateDir(env))).hs256Key, what: 'the key of `npm run dev`' },
    { file: defaultGatewayOptions().jwt.hs256KeyFile, what: "the gateway's mounted key" },
  ];
}

function keyFile(alg: JwtAlgorithm, key: string | undefined): string {
  if (key !== undefined) return operatorPath(key);
  if (alg !== 'HS256') throw new Error('--key FILE (a PEM private key) is required for RS256');
  const candidates = hs256KeyCandidates(process.env);
  const found = candidates.find(({ file }) => existsSync(file));
  if (found) return found.file;
  throw new Error(
    `no HS256 key found; looked in:\n${candidates.map(({ file, what }) => `  ${file}  (${what})`).join('\n')}\n` +
      'Start the dev platform (`npm run dev`) or pass --key FILE.',
  );
}

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
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  if (!values.sub) throw new Error('--sub is required');
  const alg = values.alg as JwtAlgorithm;
  if (!jwtAlgorithms.includes(alg)) throw new Error(`--alg must be one of ${jwtAlgorithms.join(', ')}`);
  const token = await mintToken({
    alg,
    key: readKeyFile(keyFile(alg, values.key)),
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
  process.stderr.write(
    `token: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n(--help for more)\n`,
  );
  process.exitCode = 2;
});
