import * as fs from 'node:fs';
import * as path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Every stack of the project: the Pulumi.<stack>.yaml files beside Pulumi.yaml. */
export function allStacks(): string[] {
  return fs
    .readdirSync(REPO_ROOT)
    .flatMap((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1] ?? [])
    .sort();
}
