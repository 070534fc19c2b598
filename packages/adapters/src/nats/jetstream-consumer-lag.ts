import type { JetStreamManager, NatsConnection } from 'nats';
import { isStreamNotFound, queueUnavailable } from './nats-error-translation.js';
import { SIGNUP_DEADLETTER_STREAM, SIGNUP_EVENTS_STREAM } from './signup-stream.js';

/** One reading of a durable consumer's backlog and of the dead letters stored. */
export interface ConsumerLagSample {
  readonly stream: string;
  readonly consumer: string;
  /** Messages in the stream the consumer has not been sent yet (`num_pending`). */
  readonly pending: number;
  /** Messages sent and not yet acknowledged (`num_ack_pending`). */
  readonly ackPending: number;
  /** Messages delivered more than once and not yet acknowledged (`num_redelivered`). */
  readonly redelivered: number;
  /** Messages in the dead-letter stream (all handlers); 0 when that stream does not exist yet. */
  readonly deadLetters: number;
  readonly sampledAt: Date;
}

/** Options of a `JetStreamConsumerLag`. */
export interface JetStreamConsumerLagOptions {
  /** The durable consumer to watch, named after its handler (`save-handler`). */
  readonly consumer: string;
  /** Default `SIGNUP_EVENTS`. */
  readonly stream?: string;
  /** Default `SIGNUP_DEADLETTER`. */
  readonly deadLetterStream?: string;
  /** Time between samples while started. Default 15 s, the usual scrape interval. */
  readonly intervalMs?: number;
  /** Receives every sample taken while started. */
  readonly onSample: (sample: ConsumerLagSample) => void;
  /**
   * Receives a failed sample (a `QueueUnavailableError`: server away, consumer not created
   * yet) or an error `onSample` threw; sampling goes on.
   */
  readonly onError?: (error: unknown) => void;
}

const DEFAULT_INTERVAL_MS = 15_000;

/**
 * Samples a durable JetStream consumer's backlog (pending, ack-pending, redelivered) and
 * the dead-letter stream's message count from the server's consumer and stream info, every
 * `intervalMs` while started: the cost is two small API requests per interval, whatever the
 * message rate. Hands each sample to `onSample` (the handler host sets its gauges from it;
 * see docs/observability.md). A failed sample goes to `onError` and the next one is tried at
 * the next interval. Samples never overlap.
 */
export class JetStreamConsumerLag {
  readonly stream: string;
  readonly deadLetterStream: string;
  readonly intervalMs: number;
  private jsm: JetStreamManager | undefined;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;

  constructor(private readonly nc: NatsConnection, private readonly options: JetStreamConsumerLagOptions) {
    this.stream = options.stream ?? SIGNUP_EVENTS_STREAM;
    this.deadLetterStream = options.deadLetterStream ?? SIGNUP_DEADLETTER_STREAM;
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    if (!(this.intervalMs >= 1)) throw new RangeError(`intervalMs must be at least 1, not ${this.intervalMs}`);
  }

  /**
   * Reads the consumer and the dead-letter stream once, now.
   * @throws QueueUnavailableError when the server cannot be asked or the consumer does not exist.
   */
  async sample(): Promise<ConsumerLagSample> {
    let jsm: JetStreamManager;
    try {
      jsm = this.jsm ??= await this.nc.jetstreamManager({ checkAPI: false });
    } catch (error) {
      throw queueUnavailable('JetStream is not available for consumer info', error);
    }
    const [consumer, deadLetters] = await Promise.all([
      jsm.consumers.info(this.stream, this.options.consumer).catch((error: unknown) => {
        throw queueUnavailable(`Cannot read consumer ${this.options.consumer} of stream ${this.stream}`, error);
      }),
      jsm.streams.info(this.deadLetterStream).then((info) => info.state.messages, (error: unknown) => {
        if (isStreamNotFound(error)) return 0;
        throw queueUnavailable(`Cannot read stream ${this.deadLetterStream}`, error);
      }),
    ]);
    return {
      stream: this.stream,
      consumer: this.options.consumer,
      pending: consumer.num_pending,
      ackPending: consumer.num_ack_pending,
      redelivered: consumer.num_redelivered,
      deadLetters,
      sampledAt: new Date(),
    };
  }

  /** Takes a sample now and then every `intervalMs` until `stop`. The timer does not keep the process alive. */
  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    this.timer.unref();
    this.tick();
  }

  /** Stops sampling and waits for a sample under way. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inFlight;
  }

  private tick(): void {
    if (this.inFlight !== undefined) return;
    this.inFlight = this.sample()
      .then((sample) => {
        if (this.timer !== undefined) this.options.onSample(sample);
      })
      .catch((error: unknown) => {
        if (this.timer !== undefined) this.options.onError?.(error);
      })
      .finally(() => {
        this.inFlight = undefined;
      });
  }
}
