// What the kernel says about a container's main process, read from the host's /proc (works for every image,
// scratch ones included, without anything inside the container).
import { readFileSync } from 'node:fs';

export interface ProcessFacts {
  uids: number[];
  gids: number[];
  effectiveCapabilities: bigint;
  noNewPrivileges: boolean;
  rootMountOptions: string[];
}

export function processFacts(pid: number): ProcessFacts {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): string => {
    const value = new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(status)?.[1];
    if (value === undefined) throw new Error(`/proc/${pid}/status has no ${name}`);
    return value.trim();
  };
  // mountinfo: id parent major:minor root mount-point options …
  const rootMount = readFileSync(`/proc/${pid}/mountinfo`, 'utf8')
    .split('\n')
    .map((line) => line.split(' '))
    .find((fields) => fields[4] === '/');
  if (!rootMount) throw new Error(`/proc/${pid}/mountinfo has no / mount`);
  return {
    uids: field('Uid').split(/\s+/).map(Number),
    gids: field('Gid').split(/\s+/).map(Number),
    effectiveCapabilities: BigInt(`0x${field('CapEff')}`),
    noNewPrivileges: field('NoNewPrivs') === '1',
    rootMountOptions: (rootMount[5] ?? '').split(','),
  };
}
