import type { Server } from 'node:http';
import type Koa from 'koa';

/**
 * The HTTP server of a Koa app: listens once with request and header timeouts, and
 * closes gracefully: stops taking connections, lets open requests finish within the
 * grace period, then closes what is left.
 */
export class WebServer {
  private server: Server | undefined;

  constructor(private readonly app: Koa, private readonly graceMs: number) {}

  /** Starts serving; resolves with the port once listening. */
  listen(port: number, host?: string): Promise<number> {
    if (this.server !== undefined) return Promise.reject(new Error('The web host is already listening.'));
    const server = this.app.listen({ port, ...(host === undefined ? {} : { host }) });
    this.server = server;
    server.requestTimeout = 30_000;
    server.headersTimeout = 20_000;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.once('listening', () => {
        server.off('error', reject);
        const address = server.address();
        resolve(typeof address === 'object' && address !== null ? address.port : port);
      });
    });
  }

  /** Resolves once the server is closed (at once when it never listened). */
  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined || !server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    const timer = setTimeout(() => server.closeAllConnections(), this.graceMs);
    await closed;
    clearTimeout(timer);
  }
}
