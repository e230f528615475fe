/**
 * A deterministic digest of a Docker build context: what the engine would receive (the files the
 * context's .dockerignore keeps, plus the Dockerfile), and the build settings. Used as the image
 * tag for clusters that read the local engine's store, so every content change gives a new pod
 * image reference (and rolls the pods) while an unchanged tree keeps the same one.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import dockerignore from '@balena/dockerignore';

export interface BuildSettings {
  platform?: string | undefined;
  args?: Readonly<Record<string, string>>;
}

/** Hex SHA-256 over sorted (path, executable bit, content) triples and the build settings. */
export function contextDigest(contextDir: string, settings: BuildSettings = {}): string {
  const files = contextFiles(contextDir);
  const hash = createHash('sha256');
  hash.update(JSON.stringify({ platform: settings.platform ?? null, args: sortedEntries(settings.args ?? {}) }));
  for (const relative of files) {
    const absolute = path.join(contextDir, relative);
    const executable = (fs.statSync(absolute).mode & 0o111) !== 0;
    hash.update(`\0${relative}\0${executable ? 'x' : '-'}\0`);
    hash.update(fs.readFileSync(absolute));
  }
  return hash.digest('hex');
}

/** Relative POSIX paths of the regular files Docker would send, sorted. */
export function contextFiles(contextDir: string): string[] {
  if (!fs.existsSync(path.join(contextDir, 'Dockerfile'))) {
    throw new Error(`No Dockerfile in build context ${contextDir}`);
  }
  const ignoreFile = path.join(contextDir, '.dockerignore');
  const rules = fs.existsSync(ignoreFile) ? fs.readFileSync(ignoreFile, 'utf8').split(/\r?\n/) : [];
  const matcher = dockerignore().add(rules);
  const hasReinclusions = rules.some((rule) => rule.trim().startsWith('!'));
  // Docker never ignores the Dockerfile and .dockerignore themselves.
  const alwaysSent = new Set(['Dockerfile', '.dockerignore']);
  const files: string[] = [];
  const walk = (relativeDir: string): void => {
    const entries = fs.readdirSync(path.join(contextDir, relativeDir), { withFileTypes: true });
    for (const entry of entries) {
      const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      if (entry.isDirectory()) {
        // An ignored directory is skipped unless a `!pattern` could re-include something in it.
        if (hasReinclusions || !matcher.ignores(relative)) walk(relative);
      } else if (
        (entry.isFile() || entry.isSymbolicLink()) &&
        (alwaysSent.has(relative) || !matcher.ignores(relative))
      ) {
        files.push(relative);
      }
    }
  };
  walk('');
  return files.sort();
}

function sortedEntries(record: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(record).sort(([a], [b]) => a.localeCompare(b));
}
