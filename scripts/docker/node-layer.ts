// The `node:<major>-bookworm-slim` stand-in's own layer, laid out like the real image: Node's distribution under
// /usr/local (the binary from the npm package node-linux-<arch>), npm at /usr/local/lib/node_modules/npm with
// /usr/local/bin/npm and npx linking to its CLIs, /usr/local/bin/nodejs, the `node` user (1000:1000, home
// /home/node), and a docker-entrypoint.sh that runs node for arguments that are not commands. Like the real image,
// only the target's OpenSSL configuration headers are kept (the real Dockerfile deletes the other platforms' ≈ 40 MB
// under include/node/openssl/archs).
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { run } from './process';

/** The real image's entrypoint behaviour: `docker run node:… script.js` and `… --version` run node. */
const ENTRYPOINT = `#!/bin/sh
set -e
# Run node when the first argument is an option, or is not a command found on PATH (e.g. a script path).
if [ "\${1#-}" != "\${1}" ] || [ -z "$(command -v "\${1}")" ] || { [ -f "\${1}" ] && ! [ -x "\${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
`;

const NODE_USER = {
  passwd: 'node:x:1000:1000::/home/node:/bin/bash',
  group: 'node:x:1000:',
  shadow: 'node:!:20000:0:99999:7:::',
  gshadow: 'node:!::',
};

/** `npm pack` a package once into `downloads` (keyed by name and version); returns the tarball path. */
export async function fetchNpmTarball(name: string, version: string, downloads: string): Promise<string> {
  const file = join(downloads, `${name}-${version}.tgz`);
  if (existsSync(file)) return file;
  mkdirSync(downloads, { recursive: true });
  await run('npm', ['pack', `${name}@${version}`, '--pack-destination', downloads, '--silent'], { timeoutMs: 600_000 });
  if (!existsSync(file)) throw new Error(`npm pack ${name}@${version} did not produce ${file}`);
  return file;
}

export interface NodeLayerInputs {
  nodeTarball: string;
  npmTarball: string;
  /** The Debian layer tar: its /etc/passwd & co. get the node user appended. */
  debianLayer: string;
  /** OpenSSL's name for the target platform (linux-x86_64, linux-aarch64): the one archs/ directory kept. */
  opensslArch: string;
}

export async function buildNodeLayer(inputs: NodeLayerInputs, staging: string, outTar: string): Promise<void> {
  rmSync(staging, { recursive: true, force: true });
  const unpacked = join(staging, '..', 'unpacked');
  rmSync(unpacked, { recursive: true, force: true });
  mkdirSync(unpacked, { recursive: true });
  const usrLocal = join(staging, 'usr/local');
  mkdirSync(join(usrLocal, 'lib/node_modules'), { recursive: true });

  // Node's distribution (bin/node, include/, share/, LICENSE, …) minus the npm wrapper package's own package.json.
  await run('tar', ['-xzf', inputs.nodeTarball, '-C', unpacked, '--no-same-owner']);
  for (const entry of readdirSync(join(unpacked, 'package')))
    if (entry !== 'package.json')
      cpSync(join(unpacked, 'package', entry), join(usrLocal, entry), { recursive: true, verbatimSymlinks: true });
  symlinkSync('node', join(usrLocal, 'bin/nodejs'));
  const archs = join(usrLocal, 'include/node/openssl/archs');
  if (!existsSync(join(archs, inputs.opensslArch))) throw new Error(`no OpenSSL headers for ${inputs.opensslArch}`);
  for (const entry of readdirSync(archs))
    if (entry !== inputs.opensslArch) rmSync(join(archs, entry), { recursive: true, force: true });

  // npm (with its bundled dependencies), linked the way Node's own installer links it.
  const npmUnpacked = join(unpacked, 'npm');
  mkdirSync(npmUnpacked);
  await run('tar', ['-xzf', inputs.npmTarball, '-C', npmUnpacked, '--no-same-owner']);
  cpSync(join(npmUnpacked, 'package'), join(usrLocal, 'lib/node_modules/npm'), {
    recursive: true,
    verbatimSymlinks: true,
  });
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(usrLocal, 'bin/npm'));
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(usrLocal, 'bin/npx'));
  for (const cli of ['npm-cli.js', 'npx-cli.js']) chmodSync(join(usrLocal, 'lib/node_modules/npm/bin', cli), 0o755);

  writeFileSync(join(usrLocal, 'bin/docker-entrypoint.sh'), ENTRYPOINT);
  chmodSync(join(usrLocal, 'bin/docker-entrypoint.sh'), 0o755);

  // The node user, appended to the Debian layer's account files (a layer carries whole files).
  const accounts = join(unpacked, 'accounts');
  mkdirSync(accounts);
  await run('tar', [
    '-xf',
    inputs.debianLayer,
    '-C',
    accounts,
    './etc/passwd',
    './etc/group',
    './etc/shadow',
    './etc/gshadow',
  ]);
  mkdirSync(join(staging, 'etc'), { recursive: true });
  for (const [file, line] of Object.entries(NODE_USER)) {
    const original = join(accounts, 'etc', file);
    const target = join(staging, 'etc', file);
    writeFileSync(target, `${readFileSync(original, 'utf8').trimEnd()}\n${line}\n`);
    const { uid, gid, mode } = statSync(original); // e.g. shadow is root:shadow 0640
    chownSync(target, uid, gid);
    chmodSync(target, mode & 0o7777);
  }
  mkdirSync(join(staging, 'home/node'), { recursive: true });
  chownSync(join(staging, 'home/node'), 1000, 1000);
  rmSync(unpacked, { recursive: true, force: true });

  await run('tar', ['--numeric-owner', '-C', staging, '-cf', outTar, '.']);
}
