// Debian packages the engine and the stand-ins need on the host. A fresh machine gets them on first use, so a CI
// run on a new machine needs no manual step; installs are serialized with the project's apt lock.
import { existsSync } from 'node:fs';
import { run } from './process';

/** Package → a file it installs (present = installed). */
const HOST_PACKAGES: Record<string, string> = {
  'docker.io': '/usr/sbin/dockerd',
  debootstrap: '/usr/sbin/debootstrap',
  'qemu-user-static': '/usr/bin/qemu-aarch64-static',
  'binfmt-support': '/usr/sbin/update-binfmts',
};

const APT_LOCK = '/tmp/books-apt.lock';

export async function ensureHostPackages(): Promise<string[]> {
  const missing = Object.entries(HOST_PACKAGES)
    .filter(([, file]) => !existsSync(file))
    .map(([pkg]) => pkg);
  if (missing.length === 0) return [];
  const install = () =>
    run('flock', [APT_LOCK, 'apt-get', 'install', '-y', ...missing], {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeoutMs: 900_000,
      allowFailure: true,
    });
  let result = await install();
  if (result.code !== 0) {
    // A machine whose package lists were never fetched: fetch them once, then retry.
    await run('flock', [APT_LOCK, 'apt-get', 'update'], { timeoutMs: 600_000 });
    result = await install();
  }
  if (result.code !== 0) throw new Error(`apt-get install ${missing.join(' ')} failed:\n${result.stderr.slice(-2000)}`);
  return missing;
}
