// What the numbers were measured on: they vary by machine (and, on a shared one, by the neighbours' load).
import { spawnSync } from 'node:child_process';
import os from 'node:os';

export interface Machine {
  cpus: number;
  cpuModel: string;
  kernel: string;
  os: string;
  node: string;
  nginx: string;
  wrk: string;
  memoryGiB: number;
  /** 1-minute load average when the bench started and ended: the machine is shared. */
  loadAverage: { start: number; end?: number };
}

function firstLine(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n')[0].trim() || 'not found';
}

function osName(): string {
  const release = spawnSync('sh', ['-c', '. /etc/os-release && echo "$PRETTY_NAME"'], { encoding: 'utf8' });
  return release.stdout.trim() || os.type();
}

export function describeMachine(): Machine {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    kernel: os.release(),
    os: osName(),
    node: process.version,
    nginx: firstLine('nginx', ['-v']).replace(/^nginx version: /, ''),
    wrk: firstLine('wrk', ['--version']).replace(/ Copyright.*$/, ''),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: { start: os.loadavg()[0] },
  };
}
