import {
  type ILogger, type IProspectEventHandler, type ISubscription,
} from '@signup/domain';
import { PROSPECT_SIGNED_UP_SUBJECT } from '../messaging/event-subjects.js';
import type { Consumer, JetStreamClient, JsMsg, NatsConnection } from 'nats';
import { settleBatch } from '../messaging/settle-batch.js';
import type { MessagingTracer } from '../tracing/messaging-tracer.js';
import { JetStreamConsumerSetup } from './jetstream-consumer-setup.js';
import { JetStreamInboundMessage, type JetStreamDeadLetterTarget } from './jetstream-inbound-message.js';
import { JetStreamPull, type PullResult } from './jetstream-pull.js';
import { JetStreamStallWatch } from './jetstream-stall-watch.js';
import { describeNatsError, queueUnavailable } from './nats-error-translation.js';
import { SIGNUP_EVENTS_STREAM, type StreamRetention } from './signup-stream.js';
import { pause, withTimeout } from './with-timeout.js';

/** The tuning a `JetStreamSubscription` runs with, every value set. */
export interface JetStreamSubscriptionSettings {
  readonly batchSize: number;
  readonly concurrentBatches: number;
  readonly ackWaitMs: number;
  readonly maxAckPending: number;
  readonly fetchExpiresMs: number;
  readonly idleHeartbeatMs: number;
  readonly retryDelaysMs: readonly number[];
  readonly recoveryDelaysMs: readonly number[];
  readonly deadLetterTimeoutMs: number;
  readonly flushTimeoutMs: number;
  readonly replicas: number | undefined;
  readonly retention?: StreamRetention | undefined;
  /** Makes each message's receive and process spans and the batch span when given (tracing on). */
  readonly tracer?: MessagingTracer | undefined;
}

/**
 * One handler's running subscription to `SIGNUP_EVENTS`: the pull loop. It keeps
 * one pull request open at a time (`JetStreamPull`) on the handler's durable
 * consumer (`JetStreamConsumerSetup`), buffers what arrives, and hands it to the
 * handler in batches of up to `batchSize`, with up to `concurrentBatches` in flight:
 * the next batch is decoded and validated while one waits for the database. With
 * every batch slot busy and a batch buffered it pulls nothing more (back-pressure).
 * Each batch is settled by `settleBatch` (ack, nak with delay, dead letter + term);
 * nothing is acknowledged before the handler resolves, and a batch that takes long
 * is kept in progress so the server does not deliver it to another instance.
 *
 * Stalls are judged by `JetStreamStallWatch`: after a lost consumer, missed
 * heartbeats, silent or failed pulls, the consumer (and if needed the stream) is
 * ensured again before the next pull. A pull the server can no longer answer (a
 * reconnect, a `409` such as a consumer leader change, missed heartbeats) is ended at
 * once and asked again, so a consumer that moved between servers is reached within
 * moments rather than after the pull's expiry.
 *
 * `stop()` starts no new batch, lets the batches in flight finish and settle, waits
 * for the open pull to end, and hands everything buffered back at once (nak), so
 * another instance gets it without waiting for the ack wait.
 */
export class JetStreamSubscription implements ISubscription {
  private readonly setup: JetStreamConsumerSetup;
  private readonly watch: JetStreamStallWatch;
  private readonly deadLetterTarget: JetStreamDeadLetterTarget;
  private readonly buffer: JsMsg[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private running = true;
  private consumer: Consumer | undefined;
  private openPull: JetStreamPull | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly stopRequested: Promise<void>;
  private requestStop: () => void = () => undefined;

  /** @throws HandlerNameInvalidError when the handler's name cannot name a consumer. */
  constructor(
    private readonly nc: NatsConnection,
    private readonly handler: IProspectEventHandler,
    private readonly logger: ILogger,
    private readonly settings: JetStreamSubscriptionSettings,
  ) {
    this.setup = new JetStreamConsumerSetup(nc, handler.name, settings, logger);
    this.watch = new JetStreamStallWatch(nc, handler.name, logger, settings.recoveryDelaysMs, () => {
      // The open request went through the server the client left: ask again through the new one now.
      this.openPull?.end('reconnected');
      this.signal();
    });
    const js: JetStreamClient = nc.jetstream();
    this.deadLetterTarget = { nc, js, handler: handler.name, timeoutMs: settings.deadLetterTimeoutMs };
    this.stopRequested = new Promise((resolve) => {
      this.requestStop = resolve;
    });
  }

  get healthy(): boolean {
    return this.running && this.consumer !== undefined && this.watch.healthy;
  }

  /**
   * Creates or updates the durable consumer and starts pulling.
   *
   * @throws QueueUnavailableError when the consumer cannot be created.
   */
  async start(): Promise<void> {
    try {
      this.consumer = await this.setup.ensure();
    } catch (error) {
      this.watch.close();
      throw queueUnavailable(`Cannot create the JetStream consumer ${this.handler.name}`, error);
    }
    this.logger.info(`Listening on subject: ${PROSPECT_SIGNED_UP_SUBJECT}, queue: ${this.handler.name}`, { stream: SIGNUP_EVENTS_STREAM });
    this.loop = this.run();
  }

  stop(): Promise<void> {
    if (this.running) {
      this.running = false;
      this.requestStop();
      this.signal();
    }
    return this.loop ?? Promise.resolve();
  }

  private async run(): Promise<void> {
    try {
      while (this.running && !this.nc.isClosed()) {
        if (!this.watch.connected) {
          await Promise.race([this.watch.waitForConnection(this.settings.fetchExpiresMs), this.stopRequested]);
          continue;
        }
        try {
          if (this.consumer === undefined || this.watch.takeConsumerSuspect()) this.consumer = await this.setup.ensure();
          const { answered, error, endedEarly } = await this.pullAndDispatch(this.consumer);
          if (error !== undefined && this.running) throw error;
          if (endedEarly !== undefined) this.logger.debug(`Subscription ${this.handler.name} pulling again at once`, { reason: endedEarly });
          if (this.running) this.watch.pullEnded(answered, endedEarly !== undefined);
        } catch (error) {
          if (!this.running || this.nc.isClosed()) break;
          await pause(this.watch.failed(describeNatsError(error)), this.stopRequested);
        }
      }
    } finally {
      this.running = false;
      // Whatever happens, the batches in hand finish and are settled before the subscription counts as stopped.
      while (this.inFlight.size > 0) await Promise.all(this.inFlight);
      this.handBack();
      this.watch.close();
    }
  }

  /**
   * Opens one pull and dispatches its messages until it has ended and, while running, all of
   * them are in batches. When stopping, it waits for the pull to end and hands back what it holds.
   */
  private async pullAndDispatch(consumer: Consumer): Promise<PullResult> {
    const pull = await JetStreamPull.open(consumer, this.settings, this.watch);
    this.openPull = pull;
    let ended = false;
    const result = pull.receive((message) => {
      this.buffer.push(message);
      this.signal();
    }).finally(() => {
      ended = true;
      this.openPull = undefined;
      this.signal();
    });
    while (!ended || (this.running && this.buffer.length > 0)) {
      if (this.running && this.buffer.length > 0 && this.inFlight.size < this.settings.concurrentBatches) {
        if (!ended && this.buffer.length < this.settings.batchSize) {
          // Messages of one pull arrive back to back: let the socket deliver the rest of the burst.
          await new Promise((resolve) => setImmediate(resolve));
        }
        this.startBatch(this.buffer.splice(0, this.settings.batchSize));
        continue;
      }
      // Woken by a message arriving, the pull ending, a batch finishing or a stop.
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
    if (!this.running) this.handBack();
    return result;
  }

  /**
   * Settles a batch in the background, so the next one can be decoded and validated while this one
   * waits for the database; `run` waits for every batch in flight before it ends.
   */
  private startBatch(messages: readonly JsMsg[]): void {
    const batch: Promise<void> = this.processBatch(messages)
      .catch((error: unknown) => {
        // Only settling can fail here (the connection closed); what was not acknowledged is delivered again.
        this.logger.warn(`Could not settle a batch of ${messages.length} messages; they will be redelivered`, {
          handler: this.handler.name, error: describeNatsError(error),
        });
      })
      .finally(() => {
        this.inFlight.delete(batch);
        this.signal();
      });
    this.inFlight.add(batch);
  }

  private async processBatch(messages: readonly JsMsg[]): Promise<void> {
    // Tells the server the batch (and what waits behind it) is in progress, so a slow handler does not
    // trigger redelivery to another instance.
    const keepAlive = setInterval(() => {
      for (const message of messages) message.working();
      for (const message of this.buffer) message.working();
    }, Math.max(Math.floor(this.settings.ackWaitMs / 3), 100));
    try {
      await settleBatch(messages.map((message) => new JetStreamInboundMessage(message, this.deadLetterTarget)), {
        handler: this.handler, logger: this.logger, retryDelaysMs: this.settings.retryDelaysMs, tracer: this.settings.tracer,
      });
    } finally {
      clearInterval(keepAlive);
    }
    // Acks are fire-and-forget; a flush makes sure the server has them before the batch counts as finished.
    await withTimeout(this.nc.flush(), this.settings.flushTimeoutMs).catch((error: unknown) => {
      this.logger.debug('Flushing acknowledgements failed; unacknowledged messages will be redelivered', { error: describeNatsError(error) });
    });
  }

  private handBack(): void {
    // Handed back at once so another instance can take them now rather than after ack_wait.
    for (const message of this.buffer.splice(0)) message.nak();
    if (!this.nc.isClosed()) this.nc.flush().catch(() => undefined);
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}
