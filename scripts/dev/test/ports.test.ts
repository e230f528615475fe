/**
 * freePorts: distinct, bindable ports that this process has not handed out lately (the kernel offers a port again as
 * soon as its probe closes), and a clear error when the local range has none left. The exhaustion case runs in a
 * network namespace of its own with a ten-port range, so it touches nothing else on the machine.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { assertPortFree, freePort, freePorts } from '../ports';

const execFileAsync = promisify(execFile);
const portsModule = join(__dirname, '..', 'ports.ts');

describe('free ports (scripts/dev/ports)', () => {
  it('gives the number asked for, distinct, each one bindable on 127.0.0.1', async () => {
    const ports = await freePorts(5);
    assert.equal(ports.length, 5);
    assert.equal(new Set(ports).size, 5);
    for (const port of ports) await assertPortFree(port, 'a port freePorts gave');
  });

  it('never hands out a port again within 1,024 of its last handing out (the kernel does, about 1 in 3,000 pairs)', async () => {
    const handedOut: number[] = [];
    for (let i = 0; i < 3_000; i++) handedOut.push(await freePort());
    const lastSeen = new Map<number, number>();
    handedOut.forEach((port, index) => {
      const previous = lastSeen.get(port);
      assert.ok(
        previous === undefined || index - previous > 1_024,
        `port ${port} at ${previous} and again at ${index}`,
      );
      lastSeen.set(port, index);
    });
  });

  it('says so when the local range has no port left that was not handed out lately', async () => {
    // Ten ports: two calls of five take them all, the third finds only ports handed out already.
    const script = `
      const { freePorts } = require(${JSON.stringify(portsModule)});
      (async () => {
        const first = await freePorts(5);
        const second = await freePorts(5);
        console.log(JSON.stringify([...first, ...second].sort()));
        await freePorts(1).then(() => console.log('third: got a port'), (error) => console.log('third: ' + error.message));
      })();`;
    const { stdout } = await execFileAsync('unshare', [
      '--net',
      'sh',
      '-ec',
      'ip link set lo up && sysctl -qw net.ipv4.ip_local_port_range="40000 40009" && exec "$0" "$@"',
      process.execPath,
      '--require',
      'ts-node/register/transpile-only',
      '--eval',
      script,
    ]);
    const [ports, third] = stdout.trim().split('\n');
    assert.deepEqual(
      JSON.parse(ports!),
      Array.from({ length: 10 }, (_, i) => 40_000 + i),
    );
    assert.equal(
      third,
      'third: found 0 of 1 free ports on 127.0.0.1: EADDRINUSE after 10 probes (10 of them handed out lately by this process)',
    );
  });
});
