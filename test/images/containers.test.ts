// The running containers (amd64) as the program deploys them: non-root, read-only root, no capabilities, no
// privilege gain, healthy by their own HEALTHCHECK. Each case checks every container and names all that fail.
import assert from 'node:assert/strict';
import { containerState } from './containers';
import { harness } from './harness';
import { processFacts, type ProcessFacts } from './host-proc';
import type { PlatformContainer } from './platform';

async function everyContainer(check: (c: PlatformContainer, facts: ProcessFacts) => string | undefined): Promise<void> {
  const failures: string[] = [];
  for (const c of harness().platform.containers) {
    const { pid, running } = await containerState(c.name);
    if (!running) {
      failures.push(`${c.name}: not running`);
      continue;
    }
    const problem = check(c, processFacts(pid));
    if (problem) failures.push(`${c.name}: ${problem}`);
  }
  assert.deepEqual(failures, [], failures.join('\n'));
}

describe('containers (amd64) under the hardening the program uses', function () {
  it('run every workload the program deploys, with its replica count', function () {
    const counts: Record<string, number> = {};
    for (const c of harness().platform.containers) counts[c.role] = (counts[c.role] ?? 0) + 1;
    assert.deepEqual(counts, { postgres: 1, books: 2, 'books-react': 2, 'books-reverse-proxy': 1 });
  });

  it('run their main process as their numeric non-root user (real, effective, saved, fs ids)', async function () {
    await everyContainer((c, facts) => {
      const [uid, gid] = c.user.split(':').map(Number) as [number, number];
      if (uid === 0) return 'configured to run as root';
      if (facts.uids.some((u) => u !== uid)) return `uids ${facts.uids.join(' ')}, expected ${uid}`;
      if (facts.gids.some((g) => g !== gid)) return `gids ${facts.gids.join(' ')}, expected ${gid}`;
      return undefined;
    });
  });

  it('have a read-only root file system', async function () {
    await everyContainer((_, facts) =>
      facts.rootMountOptions.includes('ro') ? undefined : `/ is mounted ${facts.rootMountOptions.join(',')}`,
    );
  });

  it('hold no capabilities and cannot gain privileges', async function () {
    await everyContainer((_, facts) => {
      if (facts.effectiveCapabilities !== 0n)
        return `effective capabilities 0x${facts.effectiveCapabilities.toString(16)}`;
      if (!facts.noNewPrivileges) return 'no_new_privs is not set';
      return undefined;
    });
  });

  it('are healthy by their own HEALTHCHECK', async function () {
    const failures: string[] = [];
    for (const c of harness().platform.containers) {
      const state = await containerState(c.name);
      if (state.health !== 'healthy')
        failures.push(`${c.name}: ${state.health ?? 'no HEALTHCHECK'} (${state.healthLog})`);
    }
    assert.deepEqual(failures, [], failures.join('\n'));
  });
});
