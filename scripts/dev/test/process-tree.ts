import { readdirSync, readFileSync } from 'node:fs';

/** A process as /proc shows it; `startTime` tells a process from a later one that got the same pid. */
export interface ProcessRecord {
  pid: number;
  ppid: number;
  startTime: string;
  state: string;
  command: string;
}

function readRecord(pid: number): ProcessRecord | undefined {
  let stat: string;
  let command: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return undefined;
  }
  // Fields after the command name (which may contain spaces and parentheses): state, ppid, … starttime is 22nd.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { pid, ppid: Number(fields[1]), state: fields[0] ?? '?', startTime: fields[19] ?? '', command };
}

/** `root` and every process below it. */
export function processTree(root: number): ProcessRecord[] {
  const all = readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => readRecord(Number(entry)))
    .filter((record): record is ProcessRecord => record !== undefined);
  const tree: ProcessRecord[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    const record = all.find((candidate) => candidate.pid === pid);
    if (record) tree.push(record);
    queue.push(...all.filter((candidate) => candidate.ppid === pid).map((child) => child.pid));
  }
  return tree;
}

/** The recorded processes that still run (same pid and start time, not a zombie). */
export function survivors(records: readonly ProcessRecord[]): ProcessRecord[] {
  return records.filter((record) => {
    const now = readRecord(record.pid);
    return now !== undefined && now.startTime === record.startTime && now.state !== 'Z';
  });
}
