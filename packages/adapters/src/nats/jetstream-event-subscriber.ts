import type { IProspectEventHandler } from '@signup/domain';
import { DEFAULT_RETRY_DELAYS_MS } from '../messaging/retry-delay.js';
import type { MessagingTracer } from '../tracing/messaging-tracer.js';
import { JetStreamSubscription, type JetStreamSubscriptionSettings } from './jetstream-subscription.js';
import { NatsEventSubscriber } from './nats-event-subscriber.js';
import type { StreamRetention } from './signup-stream.js';

/** Tuning for `JetStreamEventSubscriber`; the defaults suit production. */
export interface JetStreamEventSubscriberOptions {
  /** Most messages fetched and handed to the handler at once (one database statement). Default 1000. */
  readonly batchSize?: number;
  /**
   * Batches handled at once: the next is decoded and validated while one waits for the database.
   * Default 2; keep it below the database pool size. 1 handles strictly one batch after another.
   */
  readonly concurrentBatches?: number;
  /** How long the server waits for an ack before redelivering. Default 30000 ms; keep database timeouts well below it. */
  readonly ackWaitMs?: number;
  /** The consumer's limit of unacknowledged messages across all instances. Default 10 × batchSize. */
  readonly maxAckPending?: number;
  /** How long one pull request stays open at the server, and so the longest a graceful stop waits for it. Default 5000 ms (at least 1000). */
  readonly fetchExpiresMs?: number;
  /**
   * Heartbeat interval the server sends while a pull request is open; two missed ones end the pull
   * and count as a stall. Default 1000 ms, at most half of fetchExpiresMs.
   */
  readonly idleHeartbeatMs?: number;
  /** Redelivery delays for `retry` outcomes by delivery count; the last repeats. Default 1 s, 2 s, 5 s, 10 s, 30 s. */
  readonly retryDelaysMs?: readonly number[];
  /**
   * Pauses between attempts to reach or recreate a lost consumer; the last repeats. Default 0.25 s, 0.5 s,
   * 1 s, 2 s: short, since on a cluster a consumer whose leader moved answers again within seconds.
   */
  readonly recoveryDelaysMs?: readonly number[];
  /** How long a dead-letter publish may wait for its acknowledgement. Default 5000 ms. */
  readonly deadLetterTimeoutMs?: number;
  /**
   * Replicas of the streams when a subscription has to create them again (the server lost them):
   * `MessageQueue:Replicas`, which `createNatsMessaging` passes on. Unset: a stream created again gets one,
   * and one still there keeps what it has (see `ensureSignUpStream`).
   */
  readonly replicas?: number;
  /** Limits of the streams when a subscription has to create them again, as `replicas`. */
  readonly retention?: StreamRetention;
  /** Makes the spans of each message and batch when given (tracing on; see docs/observability.md). */
  readonly tracer?: MessagingTracer | undefined;
}

/**
 * Subscribes handlers to `SIGNUP_EVENTS` through durable pull consumers named after
 * each handler (`save-handler`), created or updated at subscribe with explicit acks,
 * the ack wait, unlimited deliveries and a bounded number of pending acks. Several
 * processes subscribing the same handler share its consumer, as queue groups did.
 * See `JetStreamSubscription` for how messages are settled and stalls recovered.
 * Construct with `(nc, logger, options?)`.
 */
export class JetStreamEventSubscriber extends NatsEventSubscriber<JetStreamEventSubscriberOptions, JetStreamSubscriptionSettings> {
  protected resolveSettings(options: JetStreamEventSubscriberOptions = {}): JetStreamSubscriptionSettings {
    const batchSize = Math.max(1, Math.floor(options.batchSize ?? 1000));
    const fetchExpiresMs = Math.max(1000, options.fetchExpiresMs ?? 5000);
    return {
      batchSize,
      concurrentBatches: Math.max(1, Math.floor(options.concurrentBatches ?? 2)),
      ackWaitMs: options.ackWaitMs ?? 30_000,
      maxAckPending: options.maxAckPending ?? batchSize * 10,
      fetchExpiresMs,
      idleHeartbeatMs: Math.min(options.idleHeartbeatMs ?? 1000, Math.floor(fetchExpiresMs / 2)),
      retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
      recoveryDelaysMs: options.recoveryDelaysMs ?? [250, 500, 1000, 2000],
      deadLetterTimeoutMs: options.deadLetterTimeoutMs ?? 5000,
      replicas: options.replicas,
      retention: options.retention,
      flushTimeoutMs: 5000,
      tracer: options.tracer,
    };
  }

  /** @throws HandlerNameInvalidError when the handler's name cannot name a consumer. */
  protected createSubscription(handler: IProspectEventHandler): JetStreamSubscription {
    return new JetStreamSubscription(this.nc, handler, this.logger, this.settings);
  }
}
