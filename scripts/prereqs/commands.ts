/**
 * The table of external commands the harnesses spawn (commands.tsv, also read by scripts/install-prereqs.sh) and
 * the up-front check each harness runs: a missing command fails at once with the package that installs it, not
 * half an hour later with `spawn … ENOENT`.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export const HARNESSES = ['dev', 'integration', 'images', 'e2e', 'bench', 'cluster', 'ci', 'user'] as const;
export type Harness = (typeof HARNESSES)[number];

export interface CommandRow {
  /** What a harness spawns; undefined when the package provides no command of ours. */
  command: string | undefined;
  /** The Debian package; undefined when the command does not come from apt. */
  debianPackage: string | undefined;
  usedBy: Harness[];
  purpose: string;
}

export const TABLE_FILE = join(__dirname, 'commands.tsv');

export function parseTable(text: string): CommandRow[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line, index) => {
      const [command, debianPackage, usedBy, purpose, ...extra] = line.split('\t');
      if (!command || !debianPackage || !usedBy || !purpose || extra.length > 0) {
        throw new Error(`${TABLE_FILE}: row ${index + 1} needs 4 tab-separated columns: ${JSON.stringify(line)}`);
      }
      const harnesses = usedBy.split(',');
      const unknown = harnesses.filter((name) => !(HARNESSES as readonly string[]).includes(name));
      if (unknown.length > 0) throw new Error(`${TABLE_FILE}: unknown harness ${unknown.join(', ')} for ${command}`);
      return {
        command: command === '-' ? undefined : command,
        debianPackage: debianPackage === '-' ? undefined : debianPackage,
        usedBy: harnesses as Harness[],
        purpose,
      };
    });
}

export function commandTable(): CommandRow[] {
  return parseTable(readFileSync(TABLE_FILE, 'utf8'));
}

function onPath(command: string, path: string): boolean {
  const candidates = isAbsolute(command) ? [command] : path.split(delimiter).map((dir) => join(dir, command));
  return candidates.some((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The commands `harnesses` spawn that are not on PATH (nor in the sbin directories), each with how to get it. */
export function missingCommands(harnesses: readonly Harness[], path = process.env.PATH ?? ''): string[] {
  const missing = new Set<string>();
  for (const { command, debianPackage, usedBy, purpose } of commandTable()) {
    if (command === undefined || !usedBy.some((name) => harnesses.includes(name))) continue;
    if (onPath(command, path) || onPath(command, '/usr/sbin:/sbin')) continue;
    missing.add(debianPackage ? `${command} (Debian package ${debianPackage}: ${purpose})` : `${command} (${purpose})`);
  }
  return [...missing];
}

/** Throws, naming every missing command and the install step, unless all of the harnesses' commands are there. */
export function requireCommands(...harnesses: Harness[]): void {
  const missing = missingCommands(harnesses);
  if (missing.length === 0) return;
  throw new Error(
    `${harnesses.join(' + ')}: ${missing.length} command(s) missing on this machine:\n  ${missing.join('\n  ')}\n` +
      'install them with: bash scripts/install-prereqs.sh (scripts/prereqs/commands.tsv lists what it installs)',
  );
}
