import { QueueUnavailableError, type IHealthCheck, type ISubscription } from '@signup/domain';
import type { NatsConnection } from './nats-connection.js';
import { NatsConnectionMonitor } from './nats-connection-monitor.js';
import { queueUnavailable } from './nats-error-translation.js';
import { withTimeout } from './with-timeout.js';

/** Tuning for `NatsHealthCheck`. */
export interface NatsHealthCheckOptions {
  /** How long the server may take to answer a ping. Default 2000 ms. */
  readonly timeoutMs?: number;
  /** The subscriptions whose health counts too (a stalled consumer makes the check fail). */
  readonly subscriptions?: () => readonly ISubscription[];
}

/**
 * Readiness of the message queue (`message-queue`): passes when the connection is
 * open, the server answers a ping in time, and no subscription is stalled. A failure
 * says which: "reconnecting" while the client has lost its server and is trying the
 * servers of `MessageQueue:Url` again (it comes back on its own), "down" when the
 * connection is closed for good or a connected server does not answer.
 *
 * @throws QueueUnavailableError from `check()` saying which of these failed.
 */
export class NatsHealthCheck implements IHealthCheck {
  readonly name = 'message-queue';
  private readonly timeoutMs: number;
  private readonly subscriptions: () => readonly ISubscription[];
  private readonly monitor: NatsConnectionMonitor;

  constructor(private readonly nc: NatsConnection, options: NatsHealthCheckOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.subscriptions = options.subscriptions ?? (() => []);
    this.monitor = new NatsConnectionMonitor(nc);
  }

  async check(): Promise<void> {
    if (this.nc.isClosed()) throw new QueueUnavailableError('The message queue is down: the connection is closed and will not reconnect.');
    if (!this.monitor.connected) {
      throw new QueueUnavailableError('The message queue is reconnecting: the connection to its server was lost and the client is trying the servers again.');
    }
    try {
      await withTimeout(this.nc.flush(), this.timeoutMs);
    } catch (error) {
      throw queueUnavailable('The message queue is down: its server did not answer', error);
    }
    const stalled = this.subscriptions().filter((subscription) => !subscription.healthy).length;
    if (stalled > 0) {
      throw new QueueUnavailableError(`${stalled} message queue subscription${stalled === 1 ? ' is' : 's are'} stalled.`);
    }
  }
}
