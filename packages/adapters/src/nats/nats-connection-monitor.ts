import { Events, type NatsConnection, type Status } from 'nats';

type Listener = () => void;

/**
 * Follows a NATS connection's status events so adapters can tell whether the
 * client is connected right now (the client itself only says whether it is
 * closed), wait for a reconnect, and react to one. Stops following when the
 * connection closes or `close()` is called.
 */
export class NatsConnectionMonitor {
  private isConnected: boolean;
  private readonly waiters = new Set<Listener>();
  private readonly reconnectListeners = new Set<Listener>();
  private readonly statuses: AsyncIterable<Status>;

  constructor(private readonly nc: NatsConnection) {
    this.isConnected = !nc.isClosed() && nc.info !== undefined;
    this.statuses = nc.status();
    void this.follow();
    void nc.closed().then(() => this.setConnected(false));
  }

  /** True while the client has a working connection to a server. */
  get connected(): boolean {
    return this.isConnected && !this.nc.isClosed();
  }

  /**
   * Resolves `true` as soon as the client is connected, or `false` when it is still
   * not connected after `timeoutMs` (or the connection closed).
   */
  waitForConnection(timeoutMs: number): Promise<boolean> {
    if (this.connected) return Promise.resolve(true);
    if (this.nc.isClosed() || timeoutMs <= 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve(this.connected);
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
    });
  }

  /** Calls `listener` after every reconnect. Returns a function that removes it. */
  onReconnect(listener: Listener): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  /** Stops following the connection's status. */
  close(): void {
    // The client's status iterator (nats 2.29) has a stop() that its declared type does not show; without it the iterator runs until the connection closes.
    (this.statuses as Partial<{ stop(): void }>).stop?.();
    this.reconnectListeners.clear();
    for (const waiter of [...this.waiters]) waiter();
  }

  private async follow(): Promise<void> {
    for await (const status of this.statuses) {
      if (status.type === Events.Disconnect) {
        this.setConnected(false);
      } else if (status.type === Events.Reconnect) {
        this.setConnected(true);
        for (const listener of [...this.reconnectListeners]) listener();
      }
    }
  }

  private setConnected(connected: boolean): void {
    this.isConnected = connected;
    if (connected || this.nc.isClosed()) {
      for (const waiter of [...this.waiters]) waiter();
    }
  }
}
