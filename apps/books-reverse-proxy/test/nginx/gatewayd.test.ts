/** gatewayd's own Go tests (metrics line parsing, exposition), run with the Go that builds it for these suites. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { appDir, goBinary } from '../../src/local';

const execFileAsync = promisify(execFile);
const go = goBinary();

describe('gatewayd (Go)', () => {
  it('go vet and go test pass', async () => {
    const cwd = join(appDir, 'supervisor');
    await execFileAsync(go, ['vet', '.'], { cwd });
    const { stdout } = await execFileAsync(go, ['test', '-count=1', '.'], { cwd });
    assert.match(stdout, /^ok\s+books-platform\/gatewayd/m);
  });
});
