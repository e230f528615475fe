import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '..', '..');
/** Build logs and container logs of the last run (gitignored), kept for a look after a failure. */
export const LOG_DIR = join(REPO_ROOT, '.cache', 'images-logs');
