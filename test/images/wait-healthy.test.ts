// The harness's own failure paths: a container that never gets healthy, one that exits, and one without a
// HEALTHCHECK must each fail the wait at once with a message naming the container and the cause.
import assert from 'node:assert/strict';
import { docker } from '../../scripts/docker/engine';
import { standInNames } from '../../scripts/docker/standins';
import { HARDENING, PID_LABEL, RUN_LABEL, waitHealthy } from './containers';
import { harness } from './harness';

describe('waiting for health fails clearly', function () {
  const started: string[] = [];

  async function run(suffix: string, args: readonly string[], command: readonly string[]): Promise<string> {
    const name = `${harness().platform.runId}-probe-${suffix}`;
    // Labelled like the run's containers, so an aborted run's leftovers are removed by the next one.
    const labels = [`${RUN_LABEL}=${harness().platform.runId}`, `${PID_LABEL}=${process.pid}`].flatMap((l) => [
      '--label',
      l,
    ]);
    await docker([
      'run',
      '--detach',
      '--name',
      name,
      ...labels,
      ...HARDENING,
      '--user',
      '65534:65534',
      ...args,
      standInNames('amd64').debian,
      ...command,
    ]);
    started.push(name);
    return name;
  }

  after(async function () {
    if (started.length > 0) await docker(['rm', '--force', ...started]);
  });

  it('on a container whose health check fails', async function () {
    const name = await run(
      'unhealthy',
      ['--health-cmd', 'echo probe says no; exit 1', '--health-interval', '1s', '--health-retries', '1'],
      ['sleep', '60'],
    );
    await assert.rejects(waitHealthy([name], 30_000), (error: Error) => {
      assert.match(error.message, new RegExp(`container ${name} is unhealthy`));
      assert.match(error.message, /probe says no/);
      return true;
    });
  });

  it('on a container that exits', async function () {
    const name = await run(
      'exits',
      ['--health-cmd', 'true', '--health-interval', '1s'],
      ['sh', '-c', 'echo giving up >&2; exit 3'],
    );
    await assert.rejects(waitHealthy([name], 30_000), (error: Error) => {
      assert.match(error.message, new RegExp(`container ${name} is exited \\(exit 3\\)`));
      assert.match(error.message, /giving up/);
      return true;
    });
  });

  it('on a container without a HEALTHCHECK', async function () {
    const name = await run('no-healthcheck', [], ['sleep', '60']);
    await assert.rejects(waitHealthy([name], 30_000), new RegExp(`container ${name} has no HEALTHCHECK`));
  });

  it('when time runs out, naming what is still pending', async function () {
    const name = await run(
      'slow',
      ['--health-cmd', 'true', '--health-interval', '30s', '--health-start-period', '30s'],
      ['sleep', '60'],
    );
    await assert.rejects(waitHealthy([name], 2_000), new RegExp(`not healthy within 2 s:\\n${name}`));
  });
});
