// The `debian:bookworm-slim` stand-in's single layer: debootstrap's minbase variant, then the same minimizing and
// "slim" treatment the real image gets from its build tooling (dpkg/apt configuration for containers, docs, man
// pages and locales removed, and dpkg told to keep leaving them out so later `apt-get install`s in builds stay
// slim too), apt pointed at the machine's Debian sources, and this machine's extra CA certificates (see README).
import {
  copyFileSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  rmdirSync,
  statSync,
  writeFileSync,
  chmodSync,
} from 'node:fs';
import { join } from 'node:path';
import { run } from './process';

export const SUITE = 'bookworm';

/** Patterns as dpkg's path-exclude/path-include take them (`*` also matches `/`). */
const SLIM_EXCLUDE = [
  '/usr/share/doc/*',
  '/usr/share/groff/*',
  '/usr/share/info/*',
  '/usr/share/linda/*',
  '/usr/share/lintian/overrides/*',
  '/usr/share/locale/*',
  '/usr/share/man/*',
];
const SLIM_INCLUDE = [
  '/usr/share/doc/*/copyright', // licences stay, as in the real image
  '/usr/share/locale/locale.alias',
  '/usr/share/locale/all_languages',
  '/usr/share/locale/languages',
  '/usr/share/locale/currency/*',
  '/usr/share/locale/l10n/*',
];

/** Files written into the rootfs: what the real image's build adds for life in containers. */
const CONTAINER_CONFIG: Record<string, { mode: number; text: string }> = {
  // Package installs in image builds must not try to start services.
  'usr/sbin/policy-rc.d': {
    mode: 0o755,
    text: '#!/bin/sh\n# Services are never started by package installs in containers.\nexit 101\n',
  },
  // Build layers are thrown away on failure: skipping fsync makes installs faster.
  'etc/dpkg/dpkg.cfg.d/docker-apt-speedup': { mode: 0o644, text: 'force-unsafe-io\n' },
  // Remove downloaded .debs and apt's binary caches after every run, so they never end up in a layer.
  'etc/apt/apt.conf.d/docker-clean': {
    mode: 0o644,
    text: [
      'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };',
      'APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };',
      'Dir::Cache::pkgcache "";',
      'Dir::Cache::srcpkgcache "";',
      '',
    ].join('\n'),
  },
  'etc/apt/apt.conf.d/docker-gzip-indexes': { mode: 0o644, text: 'Acquire::GzipIndexes "true";\n' },
  'etc/apt/apt.conf.d/docker-no-languages': { mode: 0o644, text: 'Acquire::Languages "none";\n' },
  'etc/apt/apt.conf.d/docker-autoremove-suggests': {
    mode: 0o644,
    text: 'Apt::AutoRemove::SuggestsImportant "false";\n',
  },
  'etc/dpkg/dpkg.cfg.d/docker': {
    mode: 0o644,
    text: [
      '# The "slim" variant: files rarely needed in containers are left out, and dpkg keeps leaving them out.',
      ...SLIM_EXCLUDE.map((p) => `path-exclude ${p}`),
      ...SLIM_INCLUDE.map((p) => `path-include ${p}`),
      '',
    ].join('\n'),
  },
};

/** Left by debootstrap, useless or host-specific in an image (the engine provides resolv.conf/hosts/hostname). */
const CLEAN = [
  'etc/apt/sources.list',
  'etc/hostname',
  'etc/resolv.conf',
  'var/cache/apt',
  'var/lib/apt/lists',
  'var/cache/ldconfig/aux-cache',
  'var/log/apt',
  'var/log/bootstrap.log',
  'var/log/dpkg.log',
  'var/log/alternatives.log',
];

/** Where the machine's extra CA certificates go inside the stand-ins. */
export const EXTRA_CA = {
  /** Picked up by update-ca-certificates if a Dockerfile installs the ca-certificates package. */
  dir: 'usr/local/share/ca-certificates',
  /** One PEM bundle of them, for NODE_EXTRA_CA_CERTS in the node stand-in. */
  bundle: 'usr/local/share/books-standin/extra-ca.pem',
  hostDir: '/usr/local/share/ca-certificates',
};

export function hostExtraCaFiles(): string[] {
  return readdirSync(EXTRA_CA.hostDir)
    .filter((f) => f.endsWith('.crt'))
    .sort()
    .map((f) => join(EXTRA_CA.hostDir, f));
}

/** The machine's Debian apt sources (deb822 stanzas signed by the Debian archive keyring), used as they are. */
export function hostDebianSources(): { stanzas: string; mirror: string } {
  const dir = '/etc/apt/sources.list.d';
  const stanzas = readdirSync(dir)
    .filter((f) => f.endsWith('.sources'))
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split(/\n\s*\n/))
    .filter((s) => /^Signed-By:\s*\/usr\/share\/keyrings\/debian-archive-keyring\.gpg/m.test(s))
    .filter((s) => new RegExp(`^Suites:.*\\b${SUITE}\\b`, 'm').test(s));
  const mirror = stanzas
    .filter((s) => new RegExp(`^Suites:(.*\\s)?${SUITE}(\\s|$)`, 'm').test(s))
    .map((s) => /^URIs:\s*(\S+)/m.exec(s)?.[1])
    .find((u) => u !== undefined);
  if (!mirror) throw new Error(`no Debian source for ${SUITE} in ${dir}/*.sources (signed by debian-archive-keyring)`);
  return { stanzas: stanzas.map((s) => s.trim()).join('\n\n') + '\n', mirror };
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
}

/** Delete what dpkg's path-exclude would not have installed: files and emptied directories, then dangling links. */
function slimify(rootfs: string): void {
  const excluded = SLIM_EXCLUDE.map(globToRegExp);
  const included = SLIM_INCLUDE.map(globToRegExp);
  const prune = (dir: string, rel: string): boolean => {
    let empty = true;
    for (const name of readdirSync(dir)) {
      const abs = join(dir, name);
      const path = `${rel}/${name}`;
      const stat = lstatSync(abs);
      if (stat.isDirectory()) {
        if (prune(abs, path) && excluded.some((r) => r.test(path))) rmdirSync(abs);
        else empty = false;
      } else if (!stat.isSymbolicLink() && excluded.some((r) => r.test(path)) && !included.some((r) => r.test(path))) {
        rmSync(abs);
      } else empty = false;
    }
    return empty;
  };
  for (const root of new Set(SLIM_EXCLUDE.map((p) => p.slice(0, p.lastIndexOf('/'))))) {
    const abs = join(rootfs, root);
    try {
      if (statSync(abs).isDirectory()) prune(abs, root);
    } catch {
      // not present in minbase: nothing to remove
    }
  }
  // Symlinks whose targets were removed (e.g. doc links between packages).
  for (const root of new Set(SLIM_EXCLUDE.map((p) => p.slice(0, p.lastIndexOf('/')))))
    removeDanglingLinks(rootfs, root);
}

function removeDanglingLinks(rootfs: string, rel: string): void {
  const abs = join(rootfs, rel);
  let entries: string[];
  try {
    entries = readdirSync(abs);
  } catch {
    return;
  }
  for (const name of entries) {
    const path = join(abs, name);
    const stat = lstatSync(path);
    if (stat.isDirectory()) removeDanglingLinks(rootfs, `${rel}/${name}`);
    else if (stat.isSymbolicLink()) {
      try {
        statSync(path);
      } catch {
        rmSync(path);
      }
    }
  }
}

/** Mount points at or below `dir` from /proc/mounts' text, each before any mount it sits on (unmount order). */
export function mountsUnder(procMounts: string, dir: string): string[] {
  return procMounts
    .split('\n')
    .map((line) => line.split(' ')[1] ?? '')
    .filter((point) => point === dir || point.startsWith(`${dir}/`))
    .sort()
    .reverse();
}

/** debootstrap + slimify + config into `rootfs`, then tar it to `outTar`. */
export async function buildDebianRootfs(
  debootstrapArch: string,
  rootfs: string,
  outTar: string,
  logFile: string,
): Promise<void> {
  // A debootstrap killed mid-run (an interrupted harness) leaves its target's /proc mounted: unmount, then remove.
  for (const point of mountsUnder(readFileSync('/proc/mounts', 'utf8'), rootfs)) await run('umount', ['--lazy', point]);
  rmSync(rootfs, { recursive: true, force: true });
  mkdirSync(rootfs, { recursive: true });
  const { stanzas, mirror } = hostDebianSources();
  const result = await run('debootstrap', ['--variant=minbase', `--arch=${debootstrapArch}`, SUITE, rootfs, mirror], {
    timeoutMs: 900_000,
    allowFailure: true,
  });
  writeFileSync(logFile, result.stdout + result.stderr);
  if (result.code !== 0)
    throw new Error(
      `debootstrap ${debootstrapArch} failed (exit ${result.code}); log: ${logFile}\n${result.stderr.slice(-2000)}`,
    );

  for (const [rel, file] of Object.entries(CONTAINER_CONFIG)) {
    mkdirSync(join(rootfs, rel, '..'), { recursive: true });
    writeFileSync(join(rootfs, rel), file.text);
    chmodSync(join(rootfs, rel), file.mode);
  }
  slimify(rootfs);
  for (const rel of CLEAN) rmSync(join(rootfs, rel), { recursive: true, force: true });
  mkdirSync(join(rootfs, 'var/cache/apt/archives/partial'), { recursive: true });
  mkdirSync(join(rootfs, 'var/lib/apt/lists/partial'), { recursive: true });
  writeFileSync(join(rootfs, 'etc/apt/sources.list.d/debian.sources'), stanzas);

  const caFiles = hostExtraCaFiles();
  mkdirSync(join(rootfs, EXTRA_CA.dir), { recursive: true });
  mkdirSync(join(rootfs, EXTRA_CA.bundle, '..'), { recursive: true });
  for (const file of caFiles) copyFileSync(file, join(rootfs, EXTRA_CA.dir, file.slice(EXTRA_CA.hostDir.length + 1)));
  writeFileSync(join(rootfs, EXTRA_CA.bundle), caFiles.map((f) => readFileSync(f, 'utf8').trim() + '\n').join(''));

  // Device nodes and kernel file systems are the runtime's business; the real images ship these directories empty.
  await run('tar', [
    '--numeric-owner',
    '--xattrs',
    '--exclude=./dev/*',
    '--exclude=./proc/*',
    '--exclude=./sys/*',
    '--exclude=./run/*',
    '--exclude=./tmp/*',
    '-C',
    rootfs,
    '-cf',
    outTar,
    '.',
  ]);
}
