import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ILogger } from '@signup/domain';
import type { Registry } from 'prom-client';
import type { Readiness } from './readiness.js';

/** What the monitoring server serves. */
export interface MonitoringServerOptions {
  /** Port to listen on; 0 picks a free one. */
  readonly port: number;
  readonly host?: string;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly logger: ILogger;
}

/**
 * The handler host's small HTTP server: `GET /metrics` (Prometheus text format),
 * `GET /health/live` (200 while the process runs) and `GET /health/ready` (200
 * when every readiness check passes, 503 otherwise, JSON body listing the
 * checks as `ok` or `unavailable`, as the web host does: why a check failed names
 * hosts, addresses and user names, so it goes to the log, masked, once each time it
 * changes). Any other path is 404, any other method 405.
 */
export class MonitoringServer {
  private server: Server | undefined;
  private lastFailures = '';

  constructor(private readonly options: MonitoringServerOptions) {}

  /**
   * Starts listening and resolves with the bound port.
   *
   * @throws Error when the port cannot be bound (in use, not permitted).
   */
  async start(): Promise<number> {
    const server = createServer((request, response) => {
      this.route(request, response).catch((error: unknown) => {
        this.options.logger.error('Monitoring request failed', { error, path: request.url });
        if (!response.headersSent) send(response, 500, 'text/plain; charset=utf-8', 'Internal Server Error\n');
        else response.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const port = (server.address() as AddressInfo).port;
    this.options.logger.info(`Metrics and health server listening on port ${port}`);
    return port;
  }

  /** Stops accepting connections, closes idle ones and resolves when the server is closed. */
  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    this.server = undefined;
    await new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeIdleConnections();
    });
  }

  private async route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const known = path === '/metrics' || path === '/health/live' || path === '/health/ready';
    if (!known) return send(response, 404, 'text/plain; charset=utf-8', 'Not Found\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return send(response, 405, 'text/plain; charset=utf-8', 'Method Not Allowed\n');
    }
    if (path === '/metrics') {
      const { registry } = this.options;
      return send(response, 200, registry.contentType, await registry.metrics());
    }
    if (path === '/health/live') return send(response, 200, 'application/json', JSON.stringify({ status: 'live' }));
    const { ready, status, checks, failures } = await this.options.readiness.report();
    this.logFailures(failures);
    response.setHeader('Cache-Control', 'no-store');
    return send(response, ready ? 200 : 503, 'application/json', JSON.stringify({ ready, status, checks }));
  }

  private logFailures(failures: Readonly<Record<string, string>>): void {
    const text = Object.entries(failures).map(([name, reason]) => `${name}: ${reason}`).join('; ');
    if (text === this.lastFailures) return;
    if (text === '') this.options.logger.info('Ready again');
    else this.options.logger.warn(`Not ready: ${text}`);
    this.lastFailures = text;
  }
}

function send(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.statusCode = status;
  response.setHeader('Content-Type', contentType);
  response.end(response.req.method === 'HEAD' ? undefined : body);
}
