// Child-process helpers for the engine and image scripts: every call is bounded in time and fails with the command,
// its exit status and the tail of its output, so a broken step says what broke.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { createWriteStream } from 'node:fs';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Bytes written to the child's stdin (then closed). */
  input?: string | Buffer;
  /** Kill the child (SIGKILL) after this long; default 10 minutes. */
  timeoutMs?: number;
  /** Return instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
  /** Also stream the child's output to ours (long steps: debootstrap, builds). */
  echo?: boolean;
  /** Also write the child's output to this file as it comes (follow a long build with `tail -f`). */
  logFile?: string;
}

export interface RunResult {
  code: number;
  stdout: string;
  /** stdout as bytes, for binary output (e.g. `docker cp … -`). */
  stdoutBytes: Buffer;
  stderr: string;
}

const TAIL_CHARS = 4000;

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult,
    reason: string,
  ) {
    super(`${command}: ${reason}\n${tail(result.stderr || result.stdout)}`);
    this.name = 'CommandError';
  }
}

export function tail(text: string, chars = TAIL_CHARS): string {
  return text.length > chars ? `…${text.slice(-chars)}` : text;
}

export function describe(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

export function run(cmd: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const timeoutMs = options.timeoutMs ?? 600_000;
  const command = describe(cmd, args);
  return new Promise((resolve, reject) => {
    const stdio: StdioOptions = [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'];
    const child = spawn(cmd, args, { env: options.env ?? process.env, cwd: options.cwd, stdio });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const log = options.logFile ? createWriteStream(options.logFile) : undefined;
    child.stdout?.on('data', (chunk: Buffer) => {
      out.push(chunk);
      log?.write(chunk);
      if (options.echo) process.stdout.write(chunk);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err.push(chunk);
      log?.write(chunk);
      if (options.echo) process.stderr.write(chunk);
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`${command}: cannot start (${error.message})`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      log?.end();
      const stdoutBytes = Buffer.concat(out);
      const result: RunResult = {
        code: code ?? -1,
        stdout: stdoutBytes.toString('utf8'),
        stdoutBytes,
        stderr: Buffer.concat(err).toString('utf8'),
      };
      if (timedOut) reject(new CommandError(command, result, `timed out after ${timeoutMs / 1000} s`));
      else if (result.code !== 0 && !options.allowFailure)
        reject(new CommandError(command, result, `exit ${code ?? `signal ${signal}`}`));
      else resolve(result);
    });
    if (options.input !== undefined) {
      child.stdin?.on('error', () => undefined); // a child that exits without reading: its exit status tells
      child.stdin?.end(options.input);
    }
  });
}

/** Pipe `producer`'s stdout into `consumer`'s stdin (e.g. `tar -c … | docker load`); both bounded, both checked. */
export async function pipe(
  producer: { cmd: string; args: readonly string[] },
  consumer: { cmd: string; args: readonly string[]; env?: NodeJS.ProcessEnv },
  timeoutMs = 600_000,
): Promise<RunResult> {
  const command = `${describe(producer.cmd, producer.args)} | ${describe(consumer.cmd, consumer.args)}`;
  const left = spawn(producer.cmd, producer.args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const right = spawn(consumer.cmd, consumer.args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: consumer.env ?? process.env,
  });
  left.stdout.pipe(right.stdin);
  const collect = (stream: NodeJS.ReadableStream): Buffer[] => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    return chunks;
  };
  const leftErr = collect(left.stderr);
  const out = collect(right.stdout);
  const err = collect(right.stderr);
  const exited = (child: ChildProcess, role: string): Promise<number> =>
    new Promise((resolve, reject) => {
      child.on('error', (e) => reject(new Error(`${command}: cannot start ${role} (${e.message})`)));
      child.on('close', (code) => resolve(code ?? -1));
    });
  const timer = setTimeout(() => {
    left.kill('SIGKILL');
    right.kill('SIGKILL');
  }, timeoutMs);
  try {
    const [leftCode, rightCode] = await Promise.all([exited(left, 'producer'), exited(right, 'consumer')]);
    const stdoutBytes = Buffer.concat(out);
    const result: RunResult = {
      code: rightCode,
      stdout: stdoutBytes.toString('utf8'),
      stdoutBytes,
      stderr: Buffer.concat(leftErr).toString('utf8') + Buffer.concat(err).toString('utf8'),
    };
    if (leftCode !== 0 || rightCode !== 0) throw new CommandError(command, result, `exit ${leftCode} | ${rightCode}`);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll `probe` until it returns a value (not undefined) or `timeoutMs` passes; then throw `describeFailure()`. */
export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  describeFailure: () => Promise<string> | string,
  intervalMs = 250,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() >= deadline) throw new Error(await describeFailure());
    await sleep(intervalMs);
  }
}
