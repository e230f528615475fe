/**
 * `nginx -t` (through `gatewayd -check`, as the image build does) accepts every config the unit tests render.
 * Fails, never skips, when nginx is missing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildGatewayd, nginxBinary, njsDir } from '../../src/local';
import { renderNginxConf } from '../../src/render';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { renderCases } from '../render-cases';
import { startTestDns, type TestDns } from './dns-server';
import { selfSignedCertificate, tempDir } from './support';

const execFileAsync = promisify(execFile);

describe('nginx -t accepts every rendered config', () => {
  let dns: TestDns;
  let dir: string;
  let gatewayd: string;
  let certificate: { certificateFile: string; keyFile: string };
  before(async () => {
    dns = await startTestDns(); // answers NXDOMAIN for every name: DNS cases start with placeholders
    dir = tempDir('check');
    gatewayd = await buildGatewayd(join(dir, 'bin'));
    certificate = selfSignedCertificate(dir, '/CN=gw');
  });
  after(async () => {
    await dns.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`nginx is installed at ${nginxBinary} (fails, never skips, without it)`, async () => {
    const { stderr } = await execFileAsync(nginxBinary, ['-v']);
    assert.match(stderr, /nginx version: nginx\//);
  });

  renderCases.forEach(({ name, options }, i) => {
    it(name, async () => {
      const caseDir = join(dir, `case-${i}`);
      // Same config, with this machine's paths for what the image provides at fixed places.
      const local = renderNginxConf({
        ...options,
        paths: { ...options.paths, tempDir: caseDir, njsDir },
        backends: options.backends.kind === 'dns' ? { ...options.backends, resolver: dns.address } : options.backends,
        tls: options.tls ? { ...options.tls, ...certificate } : null,
      });
      mkdirSync(caseDir, { recursive: true });
      const config = join(caseDir, 'nginx.conf');
      writeFileSync(config, local);
      const { stderr } = await execFileAsync(gatewayd, [
        '-check',
        '-config',
        config,
        '-nginx',
        nginxBinary,
        '-prefix',
        `${caseDir}/`,
      ]);
      assert.match(stderr, /test is successful/);
      if (options.backends.kind === 'dns') assert.match(stderr, /not resolvable, placeholder/);
    });
  });

  it('gatewayd -check fails on a broken config', async () => {
    const config = join(dir, 'broken.conf');
    writeFileSync(config, 'events {}\nhttp { server { listen 1; bogus_directive on; } }\n');
    await assert.rejects(
      execFileAsync(gatewayd, ['-check', '-config', config, '-nginx', nginxBinary, '-prefix', `${dir}/`]),
      /unknown directive "bogus_directive"/,
    );
  });
});
