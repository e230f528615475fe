/**
 * `npm run render -- <stack>... | --all [--out DIR]`: each stack's Kubernetes objects as plain YAML files in
 * DIR/<stack>/ (default .cache/manifests), without a cluster, registry, Docker or Pulumi engine. What the files are
 * and are not: docs/rendered-manifests.md.
 */
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { renderStack, writeManifests } from './manifests';
import { allStacks } from './stacks';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const USAGE = 'Usage: npm run render -- <stack>... | --all [--out DIR]   (default DIR: .cache/manifests)';

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: { all: { type: 'boolean' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    allowPositionals: true,
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const known = allStacks();
  const stacks = values.all ? known : positionals;
  const unknown = stacks.filter((stack) => !known.includes(stack));
  if (stacks.length === 0 || unknown.length > 0 || (values.all && positionals.length > 0)) {
    console.error(
      `${unknown.length > 0 ? `unknown stack(s): ${unknown.join(', ')} (have: ${known.join(', ')})\n` : ''}${USAGE}`,
    );
    return 2;
  }
  const out = path.resolve(
    process.env.INIT_CWD ?? process.cwd(),
    values.out ?? path.join(REPO_ROOT, '.cache', 'manifests'),
  );
  for (const stack of stacks) {
    const files = writeManifests(path.join(out, stack), await renderStack(stack));
    console.log(`${stack}: ${files.length} objects → ${path.relative(process.cwd(), path.join(out, stack)) || '.'}`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(error.message);
    process.exit(1);
  },
);
