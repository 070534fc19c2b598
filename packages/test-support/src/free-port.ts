import { createServer, type Server } from 'node:net';

/** Ports held open until `release()`, so the OS hands none of them out meanwhile. */
export interface ReservedPorts {
  readonly ports: readonly number[];
  release(): Promise<void>;
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  const [port] = await freePorts(1);
  return port!;
}

/** `count` distinct TCP ports on 127.0.0.1 that were free a moment ago. */
export async function freePorts(count: number): Promise<number[]> {
  const reserved = await reservePorts(count);
  await reserved.release();
  return [...reserved.ports];
}

/**
 * Listens on `count` ports of 127.0.0.1 that the OS picks and keeps them until
 * `release()`: a caller that opens other sockets meanwhile (proxies) cannot be given
 * one of them.
 */
export async function reservePorts(count: number): Promise<ReservedPorts> {
  const servers: Server[] = [];
  const release = (): Promise<void> =>
    Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())))).then(() => undefined);
  try {
    const ports: number[] = [];
    for (let index = 0; index < count; index += 1) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('The OS did not give a TCP port');
      ports.push(address.port);
    }
    return { ports, release };
  } catch (error) {
    await release();
    throw error;
  }
}
