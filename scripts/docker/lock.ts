// Cross-process mutual exclusion for steps that several harnesses may start at once (engine start, stand-in builds).
// flock(2) locks belong to the open file description: a child `flock <fd>` given our descriptor takes the lock for
// us and exits, and the lock lasts until we close that descriptor. Node has no flock of its own; this needs no
// native module and interoperates with `flock FILE cmd` in shell scripts.
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export async function withFileLock<T>(path: string, timeoutMs: number, body: () => Promise<T>): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a');
  try {
    const seconds = String(Math.ceil(timeoutMs / 1000));
    const code = await new Promise<number>((resolve, reject) => {
      const child = spawn('flock', ['--exclusive', '--wait', seconds, '3'], {
        stdio: ['ignore', 'inherit', 'inherit', fd],
      });
      child.on('error', reject);
      child.on('close', (c) => resolve(c ?? -1));
    });
    if (code !== 0) throw new Error(`could not lock ${path} within ${seconds} s (another harness holds it)`);
    return await body();
  } finally {
    closeSync(fd);
  }
}
