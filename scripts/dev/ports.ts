import { createServer, type Server } from 'node:net';

/**
 * Returns `count` distinct free TCP ports on 127.0.0.1, chosen by the kernel (listen on port 0). All probes stay open
 * until every port is known, so the same port cannot come back twice; another program can still take one before it
 * is used, which is the usual, accepted race of this technique.
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return servers.map((server) => {
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('unexpected server address');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}

/** Fails early, naming the option to change, when a fixed port is already taken. */
export async function assertPortFree(port: number, what: string): Promise<void> {
  const server = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    throw new Error(
      `port ${port} for ${what} is not free (${(error as NodeJS.ErrnoException).code}); choose another one`,
    );
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
