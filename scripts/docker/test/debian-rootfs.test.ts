import assert from 'node:assert/strict';
import { mountsUnder } from '../debian-rootfs';

describe('stand-in rootfs: what an interrupted debootstrap left mounted', () => {
  const procMounts = [
    'overlay / overlay rw 0 0',
    'proc /cache/work/arm64/rootfs/proc proc rw,relatime 0 0',
    'devpts /cache/work/arm64/rootfs/dev/pts devpts rw 0 0',
    'tmpfs /cache/work/arm64/rootfs/dev tmpfs rw 0 0',
    'sysfs /cache/work/arm64/rootfs/sys sysfs rw 0 0',
    'proc /cache/work/arm64/rootfs-other/proc proc rw 0 0',
    'tmpfs /cache/work/arm64 tmpfs rw 0 0',
    '',
  ].join('\n');

  it('lists the mounts inside the target, each before the one it sits on, and nothing beside or above it', () => {
    assert.deepEqual(mountsUnder(procMounts, '/cache/work/arm64/rootfs'), [
      '/cache/work/arm64/rootfs/sys',
      '/cache/work/arm64/rootfs/proc',
      '/cache/work/arm64/rootfs/dev/pts',
      '/cache/work/arm64/rootfs/dev',
    ]);
    assert.deepEqual(mountsUnder(procMounts, '/elsewhere'), []);
  });
});
