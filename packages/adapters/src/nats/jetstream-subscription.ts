import {
  PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT,
  PROSPECT_SIGNED_UP_SUBJECT,
  SignUpError,
  type EventOutcome,
  type ILogger,
  type IProspectEventHandler,
  type ISubscription,
  type ProspectSignedUpEvent,
} from '@signup/domain';
import {
  AckPolicy,
  ConsumerDebugEvents,
  ConsumerEvents,
  DeliverPolicy,
  nanos,
  type Consumer,
  type ConsumerConfig,
  type ConsumerInfo,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  type Subscription,
} from 'nats';
import { deadLetterHeaders, fitDeadLetterBody, retryDelayMs } from './dead-letter.js';
import { handleBatch } from './handle-batch.js';
import { NatsConnectionMonitor } from './nats-connection-monitor.js';
import { describeNatsError, isConsumerNotFound, isStreamNotFound, queueUnavailable } from './nats-error-translation.js';
import { decodeProspectSignedUpEvent } from './prospect-signed-up-codec.js';
import { ensureSignUpStream, SIGNUP_EVENTS_STREAM } from './signup-stream.js';
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
}

interface FetchResult {
  /** The server answered the pull request (messages, or a status such as "request timeout"). */
  readonly responded: boolean;
}

const DURABLE_NAME = /^[^.*>\s]+$/;
// Fetches that end without any answer from the server before the subscription counts as stalled.
const SILENT_FETCHES_BEFORE_STALL = 2;

/**
 * Ends a pull request early without losing what is on its way: `fetch.stop()` alone
 * unsubscribes at once, so messages the server sent before it saw the unsubscribe would
 * be dropped by the client and come back only after the ack wait. Draining the pull's
 * inbox subscription first still receives them (the iterator then ends), so they can be
 * handed back at once. The subscription is not part of the client's typed API; without
 * it this falls back to `stop()`.
 */
async function stopFetch(fetch: ConsumerMessages): Promise<void> {
  const inbox = (fetch as unknown as { sub?: Subscription }).sub;
  if (inbox !== undefined && !inbox.isClosed()) await inbox.drain().catch(() => undefined);
  fetch.stop();
}

/**
 * One handler's running subscription to `SIGNUP_EVENTS`: a durable pull consumer
 * named after the handler, fetched in batches. Each batch is decoded, handed to the
 * handler, and every message settled by its outcome: `done` → ack, `rejected` (or
 * undecodable) → copied to the dead-letter subject with the reason, then terminated,
 * `retry` (or a thrown handler error) → nak with a delay growing with the delivery
 * count. Nothing is acknowledged before the handler resolves.
 *
 * Stall handling: fetches are short-lived with idle heartbeats, so a lost pull
 * request is replaced within one fetch period; after a reconnect, an API error or
 * fetches the server never answers, the consumer (and if needed the stream) is
 * created again. `healthy` is false while disconnected or stalled.
 */
export class JetStreamSubscription implements ISubscription {
  private readonly js: JetStreamClient;
  private readonly monitor: NatsConnectionMonitor;
  private readonly buffer: JsMsg[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private running = true;
  private stalled = false;
  private consumer: Consumer | undefined;
  private consumerSuspect = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly stopRequested: Promise<void>;
  private requestStop: () => void = () => undefined;
  private removeReconnectListener: () => void = () => undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly handler: IProspectEventHandler,
    private readonly logger: ILogger,
    private readonly settings: JetStreamSubscriptionSettings,
  ) {
    if (!DURABLE_NAME.test(handler.name)) {
      throw new SignUpError('HANDLER_NAME_INVALID', `Handler name "${handler.name}" cannot name a JetStream consumer (no spaces, '.', '*' or '>').`);
    }
    this.js = nc.jetstream();
    this.monitor = new NatsConnectionMonitor(nc);
    this.stopRequested = new Promise((resolve) => {
      this.requestStop = resolve;
    });
  }

  get healthy(): boolean {
    return this.running && !this.stalled && this.consumer !== undefined && this.monitor.connected;
  }

  /**
   * Creates or updates the durable consumer and starts fetching.
   *
   * @throws QueueUnavailableError when the consumer cannot be created.
   */
  async start(): Promise<void> {
    try {
      await this.recreateConsumer();
    } catch (error) {
      this.monitor.close();
      throw queueUnavailable(`Cannot create the JetStream consumer ${this.handler.name}`, error);
    }
    this.removeReconnectListener = this.monitor.onReconnect(() => {
      this.consumerSuspect = true;
      this.signal();
    });
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
    let silentFetches = 0;
    let failures = 0;
    try {
      while (this.running && !this.nc.isClosed()) {
        if (!this.monitor.connected) {
          await Promise.race([this.monitor.waitForConnection(this.settings.fetchExpiresMs), this.stopRequested]);
          continue;
        }
        try {
          let consumer = this.consumer;
          if (consumer === undefined || this.consumerSuspect) {
            this.consumerSuspect = false;
            consumer = await this.recreateConsumer();
          }
          const { responded } = await this.fetchAndProcess(consumer);
          failures = 0;
          if (responded) {
            silentFetches = 0;
            this.markRecovered();
          } else if (this.running && this.monitor.connected && ++silentFetches >= SILENT_FETCHES_BEFORE_STALL) {
            silentFetches = 0;
            this.markStalled('the server answered no pull request');
          }
        } catch (error) {
          if (!this.running || this.nc.isClosed()) break;
          this.markStalled(describeNatsError(error));
          const delay = this.settings.recoveryDelaysMs[Math.min(failures, this.settings.recoveryDelaysMs.length - 1)] ?? 1000;
          failures += 1;
          await pause(delay, this.stopRequested);
        }
      }
    } finally {
      this.running = false;
      // Whatever happens, the batches in hand finish and are settled before the subscription counts as stopped.
      while (this.inFlight.size > 0) await Promise.all(this.inFlight);
      this.removeReconnectListener();
      this.monitor.close();
    }
  }

  private markStalled(reason: string): void {
    this.consumerSuspect = true;
    if (!this.stalled) {
      this.stalled = true;
      this.logger.warn(`Subscription ${this.handler.name} stalled; recreating its consumer`, { reason });
    }
  }

  private markRecovered(): void {
    if (this.stalled) {
      this.stalled = false;
      this.logger.info(`Subscription ${this.handler.name} receiving again`);
    }
  }

  private async recreateConsumer(): Promise<Consumer> {
    const jsm = await this.nc.jetstreamManager({ checkAPI: false });
    let info: ConsumerInfo;
    try {
      info = await this.ensureConsumer(jsm);
    } catch (error) {
      if (!isStreamNotFound(error)) throw error;
      await ensureSignUpStream(this.nc);
      this.logger.warn(`Stream ${SIGNUP_EVENTS_STREAM} was missing; created it again`);
      info = await this.ensureConsumer(jsm);
    }
    this.consumer = this.js.consumers.getPullConsumerFor(info);
    return this.consumer;
  }

  private async ensureConsumer(jsm: JetStreamManager): Promise<ConsumerInfo> {
    const wanted = this.consumerConfig();
    let existing: ConsumerInfo | undefined;
    try {
      existing = await jsm.consumers.info(SIGNUP_EVENTS_STREAM, this.handler.name);
    } catch (error) {
      if (!isConsumerNotFound(error)) throw error;
    }
    if (existing === undefined) {
      if (this.consumer !== undefined) this.logger.warn(`Consumer ${this.handler.name} was missing; creating it again`);
      try {
        return await jsm.consumers.add(SIGNUP_EVENTS_STREAM, wanted);
      } catch (error) {
        // Another instance of the handler may have created it first.
        existing = await jsm.consumers.info(SIGNUP_EVENTS_STREAM, this.handler.name).catch(() => undefined);
        if (existing === undefined) throw error;
      }
    }
    const { config } = existing;
    if (config.ack_wait === wanted.ack_wait && config.max_ack_pending === wanted.max_ack_pending
      && config.max_deliver === wanted.max_deliver && config.filter_subject === wanted.filter_subject) {
      return existing;
    }
    try {
      return await jsm.consumers.update(SIGNUP_EVENTS_STREAM, this.handler.name, {
        ack_wait: wanted.ack_wait,
        max_ack_pending: wanted.max_ack_pending,
        max_deliver: wanted.max_deliver,
        filter_subject: wanted.filter_subject,
      });
    } catch (error) {
      this.logger.warn(`Cannot update the JetStream consumer ${this.handler.name}; using it as it is`, { error: describeNatsError(error) });
      return existing;
    }
  }

  private consumerConfig(): Partial<ConsumerConfig> & { durable_name: string } {
    return {
      durable_name: this.handler.name,
      description: `SignUp handler ${this.handler.name}`,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.settings.ackWaitMs),
      max_deliver: -1,
      max_ack_pending: this.settings.maxAckPending,
      filter_subject: PROSPECT_SIGNED_UP_SUBJECT,
    };
  }

  private async fetchAndProcess(consumer: Consumer): Promise<FetchResult> {
    const fetch = await consumer.fetch({
      max_messages: this.settings.batchSize,
      expires: this.settings.fetchExpiresMs,
      idle_heartbeat: this.settings.idleHeartbeatMs,
    });
    let responded = false;
    let finished = false;
    let fetchError: Error | undefined;

    void (async () => {
      for await (const status of await fetch.status()) {
        if (status.type === ConsumerDebugEvents.Discard || status.type === ConsumerDebugEvents.DebugEvent) {
          responded = true;
        } else if (status.type === ConsumerEvents.HeartbeatsMissed) {
          this.markStalled('missed heartbeats from the server');
        } else if (status.type === ConsumerEvents.ConsumerDeleted || status.type === ConsumerEvents.ConsumerNotFound
          || status.type === ConsumerEvents.StreamNotFound || status.type === ConsumerEvents.NoResponders) {
          this.consumerSuspect = true;
        }
      }
    })();
    const pump = (async () => {
      try {
        for await (const message of fetch) {
          responded = true;
          this.buffer.push(message);
          this.signal();
        }
      } catch (error) {
        fetchError = error instanceof Error ? error : new Error(String(error));
      } finally {
        finished = true;
        this.signal();
      }
    })();

    try {
      for (;;) {
        if (this.buffer.length > 0 && this.running && this.inFlight.size < this.settings.concurrentBatches) {
          if (!finished && this.buffer.length < this.settings.batchSize) {
            // Messages of one pull arrive back to back: let the socket deliver the rest of the burst.
            await new Promise((resolve) => setImmediate(resolve));
          }
          this.startBatch(this.buffer.splice(0, this.settings.batchSize));
          continue;
        }
        if (finished && this.buffer.length === 0) break;
        if (!this.running) {
          await stopFetch(fetch);
          await pump;
          break;
        }
        // Woken by a message arriving, the fetch ending or a batch finishing.
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      if (!this.running) this.releaseBuffered();
    }
    // The status of the request's end ("request timeout") is reported a few microtasks after the messages end.
    await new Promise((resolve) => setImmediate(resolve));
    if (fetchError !== undefined && this.running) throw fetchError;
    return { responded };
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

  private releaseBuffered(): void {
    // Handed back at once so another instance can take them now rather than after ack_wait.
    for (const message of this.buffer.splice(0)) message.nak();
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async processBatch(messages: readonly JsMsg[]): Promise<void> {
    const settling: Promise<void>[] = [];
    const decoded: { message: JsMsg; event: ProspectSignedUpEvent }[] = [];
    for (const message of messages) {
      try {
        decoded.push({ message, event: decodeProspectSignedUpEvent(message.data) });
      } catch (error) {
        settling.push(this.deadLetter(message, error instanceof Error ? error.message : String(error)));
      }
    }
    if (decoded.length > 0) {
      const outcomes = await this.handle(decoded);
      let retries = 0;
      let retryReason = '';
      outcomes.forEach((outcome, index) => {
        const { message } = decoded[index] ?? {};
        if (message === undefined) return;
        if (outcome.status === 'done') {
          message.ack();
        } else if (outcome.status === 'rejected') {
          settling.push(this.deadLetter(message, outcome.reason));
        } else {
          retries += 1;
          retryReason = outcome.reason;
          message.nak(retryDelayMs(message.info.deliveryCount, this.settings.retryDelaysMs));
        }
      });
      if (retries > 0) {
        this.logger.warn(`Handler ${this.handler.name} will retry ${retries} of ${decoded.length} events later`, { reason: retryReason });
      }
    }
    await Promise.all(settling);
    // Acks are fire-and-forget; a flush makes sure the server has them before the batch counts as finished.
    await withTimeout(this.nc.flush(), this.settings.flushTimeoutMs).catch((error: unknown) => {
      this.logger.debug('Flushing acknowledgements failed; unacknowledged messages will be redelivered', { error: describeNatsError(error) });
    });
  }

  private async handle(decoded: readonly { message: JsMsg; event: ProspectSignedUpEvent }[]): Promise<EventOutcome[]> {
    // Tells the server the batch (and what waits behind it) is in progress, so a slow handler does not
    // trigger redelivery to another instance.
    const keepAlive = setInterval(() => {
      for (const { message } of decoded) message.working();
      for (const message of this.buffer) message.working();
    }, Math.max(Math.floor(this.settings.ackWaitMs / 3), 100));
    try {
      return await handleBatch(this.handler, decoded.map(({ event }) => event), this.logger);
    } finally {
      clearInterval(keepAlive);
    }
  }

  private async deadLetter(message: JsMsg, reason: string): Promise<void> {
    const deliveryCount = message.info.deliveryCount;
    const msgID = `${this.handler.name}:${message.info.streamSequence}`;
    const headers = deadLetterHeaders({
      handler: this.handler.name, reason, originalSubject: message.subject, deliveryCount, originalSequence: message.info.streamSequence,
    });
    try {
      const body = fitDeadLetterBody(message.data, headers, this.nc.info?.max_payload, { 'Nats-Msg-Id': msgID });
      await this.js.publish(PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, body, { headers, msgID, timeout: this.settings.deadLetterTimeoutMs });
    } catch (error) {
      this.logger.warn(`Cannot dead-letter message ${message.info.streamSequence}; it will be redelivered`, {
        handler: this.handler.name, reason, error: describeNatsError(error),
      });
      message.nak(retryDelayMs(deliveryCount, this.settings.retryDelaysMs));
      return;
    }
    message.term();
    this.logger.warn(`Dead-lettered message ${message.info.streamSequence} to ${PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT}`, {
      handler: this.handler.name, reason, deliveryCount,
    });
  }
}
