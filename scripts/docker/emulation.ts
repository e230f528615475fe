// arm64 on this amd64 machine: QEMU user-mode emulation registered with the kernel's binfmt_misc, so debootstrap's
// second stage and every arm64 container (build steps included) run transparently. Debian's qemu-user-static
// registers with the "F" (fix-binary) flag, so it works inside containers' mount namespaces too.
import { existsSync, readFileSync } from 'node:fs';
import { run } from './process';

const BINFMT_DIR = '/proc/sys/fs/binfmt_misc';
const AARCH64_ENTRY = `${BINFMT_DIR}/qemu-aarch64`;

/** Make sure aarch64 binaries run here; throws with the fix if the packages are missing. */
export async function ensureArm64Emulation(): Promise<void> {
  if (!existsSync('/usr/bin/qemu-aarch64-static') || !existsSync('/usr/sbin/update-binfmts'))
    throw new Error(
      'arm64 emulation needs `apt-get install qemu-user-static binfmt-support` (see scripts/docker/README.md)',
    );
  if (!existsSync(`${BINFMT_DIR}/status`)) await run('mount', ['-t', 'binfmt_misc', 'binfmt_misc', BINFMT_DIR]);
  if (!entryEnabled()) await run('update-binfmts', ['--enable', 'qemu-aarch64']);
  if (!entryEnabled()) throw new Error(`${AARCH64_ENTRY} is not enabled after update-binfmts --enable qemu-aarch64`);
  const flags = /^flags: (\S*)$/m.exec(readFileSync(AARCH64_ENTRY, 'utf8'))?.[1] ?? '';
  if (!flags.includes('F'))
    throw new Error(
      `qemu-aarch64 is registered without the F flag (${flags}): containers could not find the interpreter`,
    );
}

function entryEnabled(): boolean {
  return existsSync(AARCH64_ENTRY) && readFileSync(AARCH64_ENTRY, 'utf8').startsWith('enabled');
}
