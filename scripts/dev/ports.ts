import { createServer, type Server } from 'node:net';

/**
 * Ports this process handed out lately, oldest first. The kernel may offer a port again as soon as its probe closes,
 * before the caller has bound it: CI once got the same port for a gateway's listener and its metrics server, which
 * were asked for one after the other. Bounded, so a long test run cannot exhaust the local range.
 */
const recentlyHandedOut = new Set<number>();
const RECENT_LIMIT = 1024;

/** Listens on 127.0.0.1:`port` (0: the kernel picks) and returns the bound port. */
function listenOn(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('unexpected server address'));
      else resolve(address.port);
    });
  });
}

/**
 * Returns `count` distinct free TCP ports on 127.0.0.1, chosen by the kernel (listen on port 0), none of them handed
 * out by this process lately. All probes stay open until every port is known, so one call cannot see a port twice and
 * needs at most RECENT_LIMIT + count probes; another program can still take a port before it is used, which is the
 * usual, accepted race of this technique.
 */
export async function freePorts(count: number): Promise<number[]> {
  const probes: Server[] = [];
  const ports: number[] = [];
  try {
    while (ports.length < count) {
      const probe = createServer();
      probes.push(probe);
      const port = await listenOn(probe, 0).catch((error: NodeJS.ErrnoException) => {
        // EADDRINUSE on port 0: every port of the local range is bound, some of them by this call's own probes.
        throw new Error(
          `found ${ports.length} of ${count} free ports on 127.0.0.1: ${error.code ?? error.message} after ` +
            `${probes.length - 1} probes ` +
            `(${probes.length - 1 - ports.length} of them handed out lately by this process)`,
        );
      });
      if (!recentlyHandedOut.has(port)) ports.push(port);
    }
  } finally {
    await Promise.all(probes.map((probe) => new Promise((resolve) => probe.close(resolve))));
  }
  for (const port of ports) {
    recentlyHandedOut.add(port);
    if (recentlyHandedOut.size > RECENT_LIMIT) recentlyHandedOut.delete(recentlyHandedOut.values().next().value!);
  }
  return ports;
}

/** One free port, as freePorts. */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/** Fails early, naming the option to change, when a fixed port is already taken. */
export async function assertPortFree(port: number, what: string): Promise<void> {
  const server = createServer();
  try {
    await listenOn(server, port);
  } catch (error) {
    throw new Error(
      `port ${port} for ${what} is not free (${(error as NodeJS.ErrnoException).code}); choose another one`,
    );
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
