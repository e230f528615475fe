// The same Dockerfiles built for linux/arm64 (FROM the arm64 stand-ins, under QEMU) and started next to the amd64
// platform with the same configuration: the image says arm64, the process really is aarch64, and it gets healthy.
import assert from 'node:assert/strict';
import { docker } from '../../scripts/docker/engine';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureStandIns, platformOf, standInNames, unameMachine } from '../../scripts/docker/standins';
import { APPS, type AppName } from './apps';
import { buildApp, buildContext, type BuiltImage } from './build';
import { harness } from './harness';

const ARCH = 'arm64';
const AARCH64_ELF_MACHINE = 183; // e_machine of an AArch64 ELF executable
const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

/**
 * The machine a container's processes run as: `uname -m` inside where the image has it; a scratch image has no
 * uname, so then the ELF header of the program it runs (its entrypoint, else its command; a bare name looked up in
 * the image's PATH; copied out of the container) decides.
 */
async function runningMachine(container: string): Promise<string> {
  const uname = await docker(['exec', container, 'uname', '-m'], { allowFailure: true, timeoutMs: 60_000 });
  if (uname.code === 0) return uname.stdout.trim();
  const { Entrypoint, Cmd, Env } = JSON.parse(
    (await docker(['inspect', '--format', '{{json .Config}}', container])).stdout,
  ) as { Entrypoint: string[] | null; Cmd: string[] | null; Env: string[] | null };
  const program = (Entrypoint ?? Cmd ?? [])[0];
  if (!program) throw new Error(`${container}: no uname and no program to inspect (${uname.stderr.trim()})`);
  const path = (Env ?? []).find((entry) => entry.startsWith('PATH='))?.slice('PATH='.length) ?? '';
  const candidates = program.startsWith('/') ? [program] : path.split(':').map((dir) => `${dir}/${program}`);
  for (const candidate of candidates) {
    // `docker cp -L … -` writes a tar of the file the path leads to: a 512-byte header, then the file.
    const archive = await docker(['cp', '-L', `${container}:${candidate}`, '-'], {
      timeoutMs: 60_000,
      allowFailure: true,
    });
    if (archive.code !== 0) continue;
    const elf = archive.stdoutBytes.subarray(512, 512 + 20);
    if (elf.subarray(0, 4).toString('latin1') !== '\x7fELF')
      throw new Error(`${container}: ${candidate} is not an ELF binary`);
    return elf.readUInt16LE(18) === AARCH64_ELF_MACHINE ? 'aarch64' : `ELF machine ${elf.readUInt16LE(18)}`;
  }
  throw new Error(`${container}: ${program} not found at ${candidates.join(', ')}`);
}

describe('arm64 images (built and run under QEMU)', function () {
  it('the default base image names resolve per platform, FROM --platform=$BUILDPLATFORM stages included', async function () {
    this.timeout(5 * 60_000);
    await ensureStandIns([ARCH]);
    // A two-stage build: the first stage on the build platform (amd64), the second on the target (arm64), both
    // FROM the Dockerfiles' default name: what a cross-building Dockerfile does.
    const context = mkdtempSync(join(tmpdir(), 'books-images-platforms-'));
    try {
      writeFileSync(
        join(context, 'Dockerfile'),
        [
          `FROM --platform=$BUILDPLATFORM ${standInNames('amd64').node} AS build`,
          'RUN uname -m > /build-machine',
          `FROM ${standInNames('amd64').node}`,
          'COPY --from=build /build-machine /build-machine',
          'RUN echo "$(cat /build-machine) $(uname -m)" > /machines',
          'CMD ["cat", "/machines"]',
        ].join('\n'),
      );
      const built = await buildContext('platforms-probe', context, ARCH);
      const { stdout } = await docker(['run', '--rm', '--platform', platformOf(ARCH), built.tag], {
        timeoutMs: 120_000,
      });
      assert.equal(stdout.trim(), `x86_64 ${unameMachine(ARCH)}`, 'build stage machine, then target stage machine');
    } finally {
      rmSync(context, { recursive: true, force: true });
    }
  });

  const built: Partial<Record<AppName, BuiltImage>> = {};
  const containers: Partial<Record<AppName, string>> = {};

  before(async function () {
    this.timeout(90 * 60_000);
    for (const s of await ensureStandIns([ARCH]))
      process.stdout.write(
        `    [images] stand-in ${s.image}: ${mb(s.sizeBytes)} (${s.built ? `built in ${s.buildSeconds.toFixed(1)} s` : 'cached'})\n`,
      );
    for (const app of APPS) {
      const image = await buildApp(app, ARCH);
      built[app.name] = image;
      process.stdout.write(
        `    [images] built ${image.tag} in ${image.seconds.toFixed(1)} s (${mb(image.sizeBytes)})\n`,
      );
    }
  });

  for (const app of APPS) {
    describe(app.name, function () {
      const image = (): BuiltImage => {
        const found = built[app.name];
        if (!found) throw new Error(`${app.name} was not built for ${ARCH}`);
        return found;
      };

      it('is an arm64 image', function () {
        assert.equal(image().architecture, ARCH, `${image().tag} says architecture ${image().architecture}`);
      });

      it(`is within its size target on ${ARCH} (${app.sizeRule})`, function () {
        const bound = app.maxSizeBytes;
        assert.ok(
          image().sizeBytes <= bound,
          `${image().tag} is ${mb(image().sizeBytes)}, over ${mb(bound)} (${app.sizeRule})`,
        );
      });

      it('starts and becomes healthy under the same hardening and configuration', async function () {
        this.timeout(10 * 60_000);
        containers[app.name] = await harness().platform.startExtra(app.name, image().tag, ARCH, platformOf(ARCH));
      });

      it(`runs as ${unameMachine(ARCH)}`, async function () {
        this.timeout(2 * 60_000);
        const container = containers[app.name];
        if (!container) throw new Error(`the ${ARCH} ${app.name} container did not start (see the case above)`);
        assert.equal(await runningMachine(container), unameMachine(ARCH));
      });
    });
  }
});
