/**
 * Where `npm run dev` keeps its state unless told otherwise, for the other tools that look there (`npm run token`
 * finds the dev platform's JWT key through it). No imports beyond node: the token CLI loads this module.
 */
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');

/** `npm run dev`'s state directory when `--state-dir` is not given: $BOOKS_DEV_STATE_DIR, else `.cache/dev`. */
export function defaultStateDir(env: NodeJS.ProcessEnv): string {
  return env.BOOKS_DEV_STATE_DIR ?? join(REPO_ROOT, '.cache', 'dev');
}

/** The gateway's JWT keys inside a state directory. */
export function jwtKeyDir(stateDir: string): string {
  return join(stateDir, 'jwt');
}
