import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';

/** Node 24 from the root devDependency `node`, whatever node runs mocha. */
export const NODE_24 = join(dirname(require.resolve('node/package.json')), 'bin', 'node');
const APP_DIR = join(__dirname, '..', '..');

export interface ChildServer {
  process: ChildProcess;
  url: string;
  port: number;
  logs: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves when a log line with this message appears. */
  logged(message: string, timeoutMs?: number): Promise<void>;
}

/**
 * A server entry (by default the real one, src/server.ts, via ts-node) as a child process on a random port. The
 * entry must log the JSON line `Server listening at <url>` as Fastify does.
 */
export async function spawnServer(env: Record<string, string>, entry = 'src/server.ts'): Promise<ChildServer> {
  const child = spawn(NODE_24, ['-r', 'ts-node/register/transpile-only', entry], {
    cwd: APP_DIR,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  const waiters: Array<{ message: string; resolve: () => void }> = [];
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line);
    } catch {
      entry = { msg: `non-JSON output: ${line}` };
    }
    logs.push(entry);
    for (const waiter of waiters.filter((candidate) => candidate.message === entry.msg)) waiter.resolve();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );

  const logged = (message: string, timeoutMs = 15000) =>
    new Promise<void>((resolve, reject) => {
      if (logs.some((entry) => entry.msg === message)) return resolve();
      const timer = setTimeout(
        () => reject(new Error(`no log line "${message}" within ${timeoutMs} ms; stderr: ${stderr}`)),
        timeoutMs,
      );
      waiters.push({ message, resolve: () => (clearTimeout(timer), resolve()) });
      void exited.then(() => reject(new Error(`server exited before logging "${message}"; stderr: ${stderr}`)));
    });

  const listening = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not listen; stderr: ${stderr}`)), 20000);
    const check = setInterval(() => {
      const line = logs.find((entry) => typeof entry.msg === 'string' && entry.msg.startsWith('Server listening at '));
      if (line) {
        clearInterval(check);
        clearTimeout(timer);
        resolve(String(line.msg).slice('Server listening at '.length));
      }
    }, 20);
    void exited.then(() => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`server exited during startup; stderr: ${stderr}`));
    });
  });
  return { process: child, url: listening, port: Number(new URL(listening).port), logs, exited, logged };
}
