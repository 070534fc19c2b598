import { connect, createServer, type Server, type Socket } from 'node:net';

interface Link {
  readonly client: Socket;
  readonly upstream: Socket;
}

type ProxyState = 'open' | 'cut' | 'frozen';

/**
 * A TCP proxy on `127.0.0.1` that a test puts between a process and a server
 * (PostgreSQL, NATS) to cut the network path on demand, without touching the
 * server itself. Each accepted connection is piped to `targetHost:targetPort`.
 *
 * - `cut()` refuses new connections (they are reset as soon as they arrive) and
 *   resets every open one, as a crashed server or a rejecting firewall would;
 * - `freeze()` keeps every connection open but forwards nothing, and holds new
 *   connections without answering, as a silent network or a hung server would;
 * - `restore()` lets traffic through again: held connections are connected and
 *   frozen ones resume; connections that were reset stay closed (the clients must
 *   reconnect on their own);
 * - `close()` stops listening and closes everything.
 *
 * The proxy never buffers on its own: a slow side slows the other through back-pressure.
 */
export class TcpProxy {
  private readonly links = new Set<Link>();
  private readonly held = new Set<Socket>();
  private state: ProxyState = 'open';
  private accepted = 0;
  private refused = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    readonly targetHost: string,
    readonly targetPort: number,
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  /**
   * Listens on a free port of `127.0.0.1` and resolves once it does.
   *
   * @throws Error when the port cannot be bound.
   */
  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const server = createServer({ noDelay: true });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') {
      server.close();
      throw new Error('The TCP proxy did not get a port');
    }
    return new TcpProxy(server, address.port, targetHost, targetPort);
  }

  /** `open`, `cut` or `frozen`. */
  get mode(): ProxyState {
    return this.state;
  }

  /** Connections open through the proxy right now. */
  get openConnections(): number {
    return this.links.size;
  }

  /** Connections let through and connections refused since the start. */
  get counts(): { readonly accepted: number; readonly refused: number } {
    return { accepted: this.accepted, refused: this.refused };
  }

  /** Refuses new connections and resets every open one (and every held one). */
  cut(): void {
    this.state = 'cut';
    for (const link of [...this.links]) this.drop(link);
    for (const client of [...this.held]) this.refuse(client);
  }

  /** Stops forwarding in both directions without closing anything; new connections are held unanswered. */
  freeze(): void {
    if (this.state === 'frozen') return;
    this.state = 'frozen';
    for (const { client, upstream } of this.links) {
      client.unpipe(upstream);
      upstream.unpipe(client);
      client.pause();
      upstream.pause();
    }
  }

  /** Lets traffic through again. */
  restore(): void {
    const wasFrozen = this.state === 'frozen';
    this.state = 'open';
    if (!wasFrozen) return;
    for (const { client, upstream } of this.links) {
      client.pipe(upstream);
      upstream.pipe(client);
    }
    for (const client of [...this.held]) {
      this.held.delete(client);
      this.forward(client);
    }
  }

  /** Stops listening and closes every connection. Safe to call twice. */
  async close(): Promise<void> {
    this.cut();
    if (!this.server.listening) return;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.state === 'cut') {
      this.refuse(client);
    } else if (this.state === 'frozen') {
      client.pause();
      this.held.add(client);
      client.once('close', () => this.held.delete(client));
    } else {
      this.forward(client);
    }
  }

  private refuse(client: Socket): void {
    this.held.delete(client);
    this.refused += 1;
    if (!client.destroyed) client.resetAndDestroy();
  }

  private forward(client: Socket): void {
    if (client.destroyed) return;
    this.accepted += 1;
    const upstream = connect({ host: this.targetHost, port: this.targetPort, noDelay: true });
    const link: Link = { client, upstream };
    this.links.add(link);
    const end = (): void => this.drop(link);
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private drop(link: Link): void {
    if (!this.links.delete(link)) return;
    const { client, upstream } = link;
    client.unpipe(upstream);
    upstream.unpipe(client);
    if (!client.destroyed) client.resetAndDestroy();
    if (!upstream.destroyed) upstream.resetAndDestroy();
  }
}
