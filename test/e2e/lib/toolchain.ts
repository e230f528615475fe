// The binaries scripts/toolchain/build.sh built (or the installed Pulumi it found on PATH), read from its
// `--print-env`, so the cache layout and versions live in one place.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
const BUILD_SCRIPT = join(REPO_ROOT, 'scripts', 'toolchain', 'build.sh');

export interface Toolchain {
  cacheDir: string;
  kwok: string;
  etcd: string;
  kubernetes: string;
  pulumi: string;
  languageHost: string;
  kubernetesProvider: string;
  dockerProvider: string;
}

/** Binaries each directory must hold; a missing one fails the suite before anything starts. */
const REQUIRED: Record<Exclude<keyof Toolchain, 'cacheDir'>, readonly string[]> = {
  kwok: ['kwok', 'kwokctl'],
  etcd: ['etcd'],
  kubernetes: ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'],
  pulumi: ['pulumi'],
  languageHost: ['pulumi-language-nodejs'],
  kubernetesProvider: ['pulumi-resource-kubernetes'],
  dockerProvider: ['pulumi-resource-docker'],
};

export function loadToolchain(): Toolchain {
  const env = Object.fromEntries(
    execFileSync(BUILD_SCRIPT, ['--print-env'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  ) as Record<string, string>;
  const toolchain: Toolchain = {
    cacheDir: env.BOOKS_TOOLCHAIN_CACHE,
    kwok: env.KWOK_BIN,
    etcd: env.ETCD_BIN,
    kubernetes: env.KUBERNETES_BIN,
    pulumi: env.PULUMI_BIN,
    languageHost: env.LANGUAGE_HOST_BIN,
    kubernetesProvider: env.KUBERNETES_PROVIDER_BIN,
    dockerProvider: env.DOCKER_PROVIDER_BIN,
  };
  const missing = Object.entries(REQUIRED).flatMap(([key, names]) =>
    names.map((name) => join(toolchain[key as keyof typeof REQUIRED], name)).filter((path) => !existsSync(path)),
  );
  if (missing.length > 0) {
    throw new Error(`toolchain incomplete, run scripts/toolchain/build.sh first; missing:\n  ${missing.join('\n  ')}`);
  }
  return toolchain;
}

/**
 * PATH for everything the suite starts: the project's Node 24 first (the language host runs `node`), then the Pulumi
 * CLI and plugins (the engine takes plugins from PATH), kubectl (kwokctl needs it), and the system.
 */
export function toolchainPath(toolchain: Toolchain): string {
  return [
    join(REPO_ROOT, 'node_modules', '.bin'),
    toolchain.pulumi,
    toolchain.languageHost,
    toolchain.kubernetesProvider,
    toolchain.dockerProvider,
    toolchain.kubernetes,
    toolchain.kwok,
    process.env.PATH ?? '',
  ].join(delimiter);
}

/** The build time of each component from the build log's last "built" line for it (the cold build numbers). */
export function buildTimes(toolchain: Toolchain): Map<string, number> {
  const log = join(toolchain.cacheDir, 'build.log');
  const times = new Map<string, number>();
  if (!existsSync(log)) return times;
  for (const match of readFileSync(log, 'utf8').matchAll(/ built {3}(\S+) (\S+) in (\d+)s/g)) {
    times.set(`${match[1]} ${match[2]}`, Number(match[3]));
  }
  return times;
}
