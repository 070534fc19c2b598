import type { IProspectEventHandler } from '@signup/domain';
import { DEFAULT_RETRY_DELAYS_MS } from '../messaging/retry-delay.js';
import type { MessagingTracer } from '../tracing/messaging-tracer.js';
import { CoreNatsSubscription, type CoreNatsSubscriptionSettings } from './core-nats-subscription.js';
import { NatsEventSubscriber } from './nats-event-subscriber.js';

/** Tuning for `CoreNatsEventSubscriber`. */
export interface CoreNatsEventSubscriberOptions {
  /** Most messages handed to the handler at once. Default 100. */
  readonly batchSize?: number;
  /** In-process retry delays for `retry` outcomes by attempt; the last repeats. Default 1 s, 2 s, 5 s, 10 s, 30 s. */
  readonly retryDelaysMs?: readonly number[];
  /** Makes the spans of each message and batch when given (tracing on; see docs/observability.md). */
  readonly tracer?: MessagingTracer | undefined;
}

/**
 * Subscribes handlers with plain NATS queue groups (`MessageQueue:Mode=core`) for a
 * server without JetStream, as the original app did: queue group = handler name, no
 * acks, nothing stored. See `CoreNatsSubscription` for how outcomes are settled.
 * Construct with `(nc, logger, options?)`.
 */
export class CoreNatsEventSubscriber extends NatsEventSubscriber<CoreNatsEventSubscriberOptions, CoreNatsSubscriptionSettings> {
  protected resolveSettings(options: CoreNatsEventSubscriberOptions = {}): CoreNatsSubscriptionSettings {
    return {
      batchSize: Math.max(1, Math.floor(options.batchSize ?? 100)),
      retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
      flushTimeoutMs: 5000,
      tracer: options.tracer,
    };
  }

  protected createSubscription(handler: IProspectEventHandler): CoreNatsSubscription {
    return new CoreNatsSubscription(this.nc, handler, this.logger, this.settings);
  }
}
