import { connect, createServer } from 'node:net';

/**
 * A TCP proxy in front of a server (here the benchmark's PostgreSQL database)
 * that can be cut: `cut()` stops listening and resets every open connection,
 * so the host behind it sees its database go away (connection reset, then
 * connection refused) while the shared server itself keeps running.
 */
export class TcpProxy {
  /**
   * @param {{ host: string, port: number }} target
   */
  constructor(target) {
    this.target = target;
    /** @type {Set<import('node:net').Socket>} */
    this.sockets = new Set();
    this.server = createServer((client) => {
      const upstream = connect(target.port, target.host);
      this.sockets.add(client);
      this.sockets.add(upstream);
      const close = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      client.on('error', close).on('close', close);
      upstream.on('error', close).on('close', close);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    this.port = 0;
  }

  /** Starts listening on a free port of 127.0.0.1; resolves with the port. */
  listen() {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        const address = this.server.address();
        this.port = typeof address === 'object' && address !== null ? address.port : 0;
        resolve(this.port);
      });
    });
  }

  /** Refuses new connections and resets the open ones. */
  cut() {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      for (const socket of this.sockets) socket.resetAndDestroy();
      this.sockets.clear();
    });
  }
}
