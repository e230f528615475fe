/**
 * docs/gateway-operations.md "Minting tokens", run as written: its HS256 commands in a shell, with a stand-in `pulumi`
 * that prints the stack's key as `pulumi config get` does (the value, then a newline), and each minted token sent as
 * a write through the real gateway (nginx + njs) holding that key as the program mounts it (the config value's bytes).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { send, startFixture, tempDir, type Fixture } from '../../../apps/books-reverse-proxy/test/nginx/support';

const REPO_ROOT = join(__dirname, '..', '..', '..');
const RECIPE_DOC = join(REPO_ROOT, 'docs', 'gateway-operations.md');
const KEY_COMMAND = 'pulumi config get --path gateway.jwt.hs256Key';

/** The first ```sh block after `heading` in `markdown`, as lines. */
export function shellBlock(markdown: string, heading: string): string[] {
  const section = markdown.slice(markdown.indexOf(`\n${heading}\n`));
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  if (!block) throw new Error(`no sh block under "${heading}"`);
  return block.trimEnd().split('\n');
}

/** Like `pulumi config get --path gateway.jwt.hs256Key`: the value, then a newline; anything else is refused. */
const PULUMI_STANDIN = `#!/bin/sh
[ "$*" = "config get --path gateway.jwt.hs256Key" ] || { echo "stand-in pulumi: not supported: $*" >&2; exit 1; }
printf '%s\\n' "$STACK_HS256_KEY"
`;

describe('docs: the token recipe of docs/gateway-operations.md works as written', function () {
  this.timeout(120_000);
  // A key as the guides make one: `openssl rand -base64 48`.
  const stackKey = randomBytes(48).toString('base64');
  const recipe = shellBlock(readFileSync(RECIPE_DOC, 'utf8'), '## Minting tokens').filter((line) =>
    line.includes('hs256.key'),
  );
  let fixture: Fixture;
  let workDir: string;
  let bin: string;
  let keyDir: string;
  const tokens: string[] = [];

  before(async () => {
    // The operator's cwd is the project root (relative --key paths are relative to it), so the recipe runs in a
    // root of its own: the root package.json, with the installed modules and the workspaces linked in. The checkout's
    // own root never gets an hs256.key from a test.
    workDir = mkdtempSync(join(tmpdir(), 'books-token-recipe-'));
    copyFileSync(join(REPO_ROOT, 'package.json'), join(workDir, 'package.json'));
    for (const linked of ['node_modules', 'apps']) symlinkSync(join(REPO_ROOT, linked), join(workDir, linked));
    bin = mkdtempSync(join(tmpdir(), 'books-token-recipe-bin-'));
    writeFileSync(join(bin, 'pulumi'), PULUMI_STANDIN);
    chmodSync(join(bin, 'pulumi'), 0o755);
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}`, STACK_HS256_KEY: stackKey };
    // As in an operator's shell: npm keeps an INIT_CWD it inherits (from the npm that runs these tests).
    delete env.INIT_CWD;
    for (const line of recipe) {
      const stdout = execFileSync('bash', ['-c', line], { cwd: workDir, env, encoding: 'utf8' });
      if (line.includes('npm run -s token')) tokens.push(stdout.trim());
    }
    // The gateway's key file holds the Secret's value: the config value's bytes, nothing added.
    keyDir = tempDir('token-recipe-key');
    writeFileSync(join(keyDir, 'hs256.key'), stackKey, { mode: 0o644 });
    fixture = await startFixture('token-recipe', {
      overrides: (options) => ({ ...options, jwt: { ...options.jwt, hs256KeyFile: join(keyDir, 'hs256.key') } }),
    });
  });

  after(async () => {
    await fixture?.stop();
    for (const dir of [workDir, bin, keyDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has a key command and token commands to run', () => {
    assert.ok(recipe.some((line) => line.includes(KEY_COMMAND)));
    assert.ok(tokens.length >= 2, recipe.join('\n'));
    for (const token of tokens) assert.match(token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('writes the key file with exactly the stack key’s bytes', () => {
    assert.equal(readFileSync(join(workDir, 'hs256.key'), 'utf8'), stackKey);
  });

  it('every documented token is accepted for a write by the gateway', async () => {
    for (const token of tokens) {
      const reply = await send(`${fixture.gateway.url}/books`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: '{"title":"Dune","author":"Frank Herbert","year":1965}',
      });
      assert.ok(reply.status !== 401 && reply.status !== 403, `${reply.status} ${reply.headers['www-authenticate']}`);
    }
  });

  it('every guide that mints a token from the stack key writes the key and scopes the token the same way', () => {
    const docs = [join(REPO_ROOT, 'README.md'), ...markdownFiles(join(REPO_ROOT, 'docs'))];
    const keyLine = recipe.find((line) => line.includes(KEY_COMMAND))!;
    const keyWrite = keyLine.slice(0, keyLine.indexOf('>') + 1);
    for (const file of docs) {
      for (const line of readFileSync(file, 'utf8').split('\n')) {
        if (line.includes(KEY_COMMAND)) assert.ok(line.includes(keyWrite), `${file}: ${line.trim()}`);
        if (/npm run (-s )?token -- --sub/.test(line)) assert.match(line, /--scope books:write/, `${file}: ${line}`);
      }
    }
  });
});

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? markdownFiles(join(dir, entry.name))
      : entry.name.endsWith('.md')
        ? [join(dir, entry.name)]
        : [],
  );
}
