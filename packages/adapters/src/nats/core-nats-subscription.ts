import {
  type ILogger, type IProspectEventHandler, type ISubscription,
} from '@signup/domain';
import { PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, PROSPECT_SIGNED_UP_SUBJECT } from '../messaging/event-subjects.js';
import type { Msg, NatsConnection, Subscription } from 'nats';
import type { InboundMessage } from '../messaging/inbound-message.js';
import { settleBatch } from '../messaging/settle-batch.js';
import { extractTraceContext } from '../tracing/trace-context-propagation.js';
import type { MessagingTracer } from '../tracing/messaging-tracer.js';
import { deadLetterHeaders, fitDeadLetterBody } from './dead-letter.js';
import { NatsConnectionMonitor } from './nats-connection-monitor.js';
import { describeNatsError } from './nats-error-translation.js';
import { decodeProspectSignedUpEvent } from './prospect-signed-up-codec.js';
import { withTimeout } from './with-timeout.js';

/** The tuning a `CoreNatsSubscription` runs with, every value set. */
export interface CoreNatsSubscriptionSettings {
  readonly batchSize: number;
  readonly retryDelaysMs: readonly number[];
  readonly flushTimeoutMs: number;
  /** Makes each message's receive and process spans and the batch span when given (tracing on). */
  readonly tracer?: MessagingTracer | undefined;
}

interface Delivery {
  readonly message: Msg;
  /** How many times the handler has been given this message, counting this time. */
  readonly attempt: number;
}

/**
 * One handler's queue-group subscription on plain NATS (`MessageQueue:Mode=core`),
 * the original app's behaviour: the queue group is the handler's name, so instances
 * of one handler share the messages and each handler gets all of them. There are no
 * acks and no redelivery by the server. Batches are settled by `settleBatch`, with
 * this transport's primitives: `retry` outcomes are retried in this process after a
 * growing delay, `rejected` and undecodable messages are published to the
 * dead-letter subject with the reason. `stop()` drains the subscription, finishes
 * every message already received, and hands events still waiting for a retry back
 * to the queue group by publishing them again.
 */
export class CoreNatsSubscription implements ISubscription {
  private readonly monitor: NatsConnectionMonitor;
  private readonly buffer: Delivery[] = [];
  private readonly waitingForRetry = new Map<NodeJS.Timeout, Delivery>();
  private subscription: Subscription | undefined;
  private running = true;
  private draining = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly handler: IProspectEventHandler,
    private readonly logger: ILogger,
    private readonly settings: CoreNatsSubscriptionSettings,
  ) {
    this.monitor = new NatsConnectionMonitor(nc);
  }

  get healthy(): boolean {
    return this.running && this.monitor.connected && this.subscription?.isClosed() === false;
  }

  /** Subscribes in the handler's queue group and waits until the server registered the interest. */
  async start(): Promise<void> {
    this.subscription = this.nc.subscribe(PROSPECT_SIGNED_UP_SUBJECT, {
      queue: this.handler.name,
      callback: (error, message) => {
        if (error) {
          this.logger.warn(`Subscription ${this.handler.name} failed`, { error: describeNatsError(error) });
          return;
        }
        this.buffer.push({ message, attempt: 1 });
        this.signal();
      },
    });
    this.loop = this.run();
    await withTimeout(this.nc.flush(), this.settings.flushTimeoutMs).catch(() => undefined);
    this.logger.info(`Listening on subject: ${PROSPECT_SIGNED_UP_SUBJECT}, queue: ${this.handler.name}`);
  }

  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    this.draining = true;
    if (this.subscription !== undefined && !this.subscription.isClosed()) {
      await this.subscription.drain().catch(() => undefined);
    }
    this.running = false;
    this.signal();
    await this.loop;
    this.handBackRetries();
    this.monitor.close();
  }

  private async run(): Promise<void> {
    for (;;) {
      if (this.buffer.length > 0) {
        await this.processBatch(this.buffer.splice(0, this.settings.batchSize));
        continue;
      }
      if (!this.running) return;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
      });
    }
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async processBatch(deliveries: readonly Delivery[]): Promise<void> {
    const { deadLettered } = await settleBatch(deliveries.map((delivery) => this.inbound(delivery)), {
      handler: this.handler, logger: this.logger, retryDelaysMs: this.settings.retryDelaysMs, tracer: this.settings.tracer,
    });
    if (deadLettered > 0) {
      await withTimeout(this.nc.flush(), this.settings.flushTimeoutMs).catch((error: unknown) => {
        this.logger.error('Dead-lettered messages may not have reached the message queue', { error: describeNatsError(error) });
      });
    }
  }

  // Core NATS has no acks: done and dead-lettered messages are simply finished; retries wait in this process.
  private inbound(delivery: Delivery): InboundMessage {
    const { message, attempt } = delivery;
    return {
      deliveryCount: attempt,
      label: `a message on ${message.subject}`,
      decode: () => decodeProspectSignedUpEvent(message.data),
      ack: () => undefined,
      redeliverLater: (delayMs) => this.retryLater(delivery, delayMs),
      publishDeadLetter: (reason) => new Promise<void>((resolve) => {
        const headers = deadLetterHeaders({ handler: this.handler.name, reason, originalSubject: message.subject, deliveryCount: attempt });
        this.nc.publish(PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, fitDeadLetterBody(message.data, headers, this.nc.info?.max_payload), { headers });
        resolve();
      }),
      term: () => undefined,
      traceContext: () => ({ parent: extractTraceContext(message.headers) }),
    };
  }

  private retryLater(delivery: Delivery, delayMs: number): void {
    if (this.draining) {
      this.republish(delivery);
      return;
    }
    const timer = setTimeout(() => {
      this.waitingForRetry.delete(timer);
      this.buffer.push({ message: delivery.message, attempt: delivery.attempt + 1 });
      this.signal();
    }, delayMs);
    this.waitingForRetry.set(timer, delivery);
  }

  private handBackRetries(): void {
    for (const [timer, delivery] of this.waitingForRetry) {
      clearTimeout(timer);
      this.republish(delivery);
    }
    this.waitingForRetry.clear();
  }

  private republish(delivery: Delivery): void {
    try {
      this.nc.publish(delivery.message.subject, delivery.message.data);
    } catch (error) {
      this.logger.error(`An event waiting for a retry by ${this.handler.name} is lost`, { error: describeNatsError(error) });
    }
  }
}
