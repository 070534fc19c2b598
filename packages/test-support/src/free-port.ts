import { createServer, type Server } from 'node:net';

/** Ports held open until `release()`, so the OS hands none of them out meanwhile. */
export interface ReservedPorts {
  readonly ports: readonly number[];
  release(): Promise<void>;
}

// Ports below the kernel's ephemeral range (32768-60999 by default): the OS never hands one of
// these to an outgoing connection or to a `listen(0)` elsewhere on the machine, so a port that
// was free when it was picked stays free until the test uses it, unless another test picks it.
const LOWEST_PORT = 20_000;
const HIGHEST_PORT = 32_767;
const handedOut = new Set<number>();

function candidatePort(): number {
  for (;;) {
    const port = LOWEST_PORT + Math.floor(Math.random() * (HIGHEST_PORT - LOWEST_PORT + 1));
    if (!handedOut.has(port)) return port;
  }
}

function listen(server: Server, port: number): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false);
      else reject(error);
    };
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve(true);
    });
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago, outside the range the OS hands out itself. */
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
 * Listens on `count` free ports of 127.0.0.1, none handed out before by this process,
 * and keeps them until `release()`: a caller that opens other sockets meanwhile
 * (proxies) cannot be given one of them.
 */
export async function reservePorts(count: number): Promise<ReservedPorts> {
  const servers: Server[] = [];
  const release = (): Promise<void> =>
    Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())))).then(() => undefined);
  try {
    const ports: number[] = [];
    for (let index = 0; index < count; index += 1) {
      let port = candidatePort();
      let server = createServer();
      while (!(await listen(server, port))) {
        port = candidatePort();
        server = createServer();
      }
      servers.push(server);
      handedOut.add(port);
      ports.push(port);
    }
    return { ports, release };
  } catch (error) {
    await release();
    throw error;
  }
}
