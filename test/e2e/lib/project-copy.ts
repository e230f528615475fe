// A private copy of the project (the real Pulumi.yaml, index.ts, components, stacks and apps) for the suite, so
// source edits (a books file, a gateway route) never touch the working tree other people use. node_modules are
// symlinked back, so the copy runs the very same installed SDKs. The copy is of the working tree, or of the last
// commit with BOOKS_E2E_FROM_HEAD=1 (when others' half-done edits share the tree).
import { existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pipe } from '../../../scripts/docker/process';
import { REPO_ROOT } from './toolchain';

/** Top-level entries the program never reads. */
const EXCLUDED = ['.git', 'node_modules', 'test', 'docs', '.ci'];

export async function copyProject(target: string): Promise<string> {
  mkdirSync(target, { recursive: true });
  const exclusions = [...EXCLUDED.map((e) => `--exclude=./${e}`), '--exclude=node_modules'];
  const source =
    process.env.BOOKS_E2E_FROM_HEAD === '1'
      ? { cmd: 'git', args: ['-C', REPO_ROOT, 'archive', '--format=tar', 'HEAD'] }
      : { cmd: 'tar', args: ['-C', REPO_ROOT, '-c', ...exclusions, '.'] };
  await pipe(source, { cmd: 'tar', args: ['-C', target, '-x'] });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(target, 'node_modules'));
  for (const app of readdirSync(join(REPO_ROOT, 'apps'))) {
    const modules = join(REPO_ROOT, 'apps', app, 'node_modules');
    if (existsSync(modules)) symlinkSync(modules, join(target, 'apps', app, 'node_modules'));
  }
  return target;
}
