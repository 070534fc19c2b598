import type { ILogger, IEventSubscriber, IProspectEventHandler, ISubscription } from '@signup/domain';
import { CoreNatsSubscription, type CoreNatsSubscriptionSettings } from './core-nats-subscription.js';
import { DEFAULT_RETRY_DELAYS_MS } from './dead-letter.js';
import type { NatsConnection } from './nats-connection.js';

/** Tuning for `CoreNatsEventSubscriber`. */
export interface CoreNatsEventSubscriberOptions {
  /** Most messages handed to the handler at once. Default 100. */
  readonly batchSize?: number;
  /** In-process retry delays for `retry` outcomes by attempt; the last repeats. Default 1 s, 2 s, 5 s, 10 s, 30 s. */
  readonly retryDelaysMs?: readonly number[];
}

/**
 * Subscribes handlers with plain NATS queue groups (`MessageQueue:Mode=core`) for a
 * server without JetStream, as the original app did: queue group = handler name, no
 * acks, nothing stored. See `CoreNatsSubscription` for how outcomes are settled.
 */
export class CoreNatsEventSubscriber implements IEventSubscriber {
  private readonly settings: CoreNatsSubscriptionSettings;
  private readonly running = new Set<ISubscription>();

  constructor(
    private readonly nc: NatsConnection,
    private readonly logger: ILogger,
    options: CoreNatsEventSubscriberOptions = {},
  ) {
    this.settings = {
      batchSize: Math.max(1, Math.floor(options.batchSize ?? 100)),
      retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
      flushTimeoutMs: 5000,
    };
  }

  /** The subscriptions started here and not stopped yet; a health check reports them. */
  get subscriptions(): readonly ISubscription[] {
    return [...this.running];
  }

  async subscribe(handler: IProspectEventHandler): Promise<ISubscription> {
    const subscription = new CoreNatsSubscription(this.nc, handler, this.logger, this.settings);
    await subscription.start();
    const tracked: ISubscription = {
      get healthy() {
        return subscription.healthy;
      },
      stop: async () => {
        try {
          await subscription.stop();
        } finally {
          this.running.delete(tracked);
        }
      },
    };
    this.running.add(tracked);
    return tracked;
  }
}
