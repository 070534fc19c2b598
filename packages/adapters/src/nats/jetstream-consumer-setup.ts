import { type ILogger } from '@signup/domain';
import { PROSPECT_SIGNED_UP_SUBJECT } from '../messaging/event-subjects.js';
import { HandlerNameInvalidError } from './handler-errors.js';
import {
  AckPolicy,
  DeliverPolicy,
  nanos,
  type Consumer,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
  type NatsConnection,
} from 'nats';
import { describeNatsError, isConsumerNotFound, isStreamNotFound } from './nats-error-translation.js';
import { ensureSignUpStream, SIGNUP_EVENTS_STREAM, type StreamRetention } from './signup-stream.js';

/** The consumer settings a handler's durable consumer is kept at, and the replicas of a stream it re-creates. */
export interface JetStreamConsumerTuning {
  readonly ackWaitMs: number;
  readonly maxAckPending: number;
  readonly replicas: number | undefined;
  readonly retention?: StreamRetention | undefined;
}

const DURABLE_NAME = /^[^.*>\s]+$/;
// Once the consumer was set up, a check that gets no answer is retried soon rather than waited for:
// on a cluster the consumer's leader may be moving, and the request may have gone into a dead connection.
const RECOVERY_API_TIMEOUT_MS = 2000;

/**
 * Manages one handler's durable pull consumer on `SIGNUP_EVENTS`, named after the
 * handler: explicit acks, every message from the start of the stream for a new
 * consumer, unlimited deliveries, the ack wait and pending-ack limit of the tuning.
 * `ensure()` creates the consumer when it is missing (and the streams too, with the
 * tuning's replicas, when the server lost them), updates settings that drifted, and tolerates another instance of
 * the handler creating it at the same moment. Consuming is not its business.
 */
export class JetStreamConsumerSetup {
  private ensuredOnce = false;

  /** @throws HandlerNameInvalidError when the handler's name cannot name a consumer. */
  constructor(
    private readonly nc: NatsConnection,
    private readonly name: string,
    private readonly tuning: JetStreamConsumerTuning,
    private readonly logger: ILogger,
  ) {
    if (!DURABLE_NAME.test(name)) {
      throw new HandlerNameInvalidError(name);
    }
  }

  /**
   * Makes sure the consumer exists with the wanted settings and returns a pull consumer bound to it.
   *
   * @throws the nats client's error when JetStream cannot be reached or refuses.
   */
  async ensure(): Promise<Consumer> {
    const jsm = await this.nc.jetstreamManager({ checkAPI: false, ...(this.ensuredOnce ? { timeout: RECOVERY_API_TIMEOUT_MS } : {}) });
    let info: ConsumerInfo;
    try {
      info = await this.ensureConsumer(jsm);
    } catch (error) {
      if (!isStreamNotFound(error)) throw error;
      await ensureSignUpStream(this.nc, { replicas: this.tuning.replicas, ...this.tuning.retention });
      this.logger.warn(`Stream ${SIGNUP_EVENTS_STREAM} was missing; created it again`);
      info = await this.ensureConsumer(jsm);
    }
    this.ensuredOnce = true;
    return this.nc.jetstream().consumers.getPullConsumerFor(info);
  }

  private async ensureConsumer(jsm: JetStreamManager): Promise<ConsumerInfo> {
    const wanted = this.consumerConfig();
    let existing = await this.info(jsm);
    if (existing === undefined) {
      if (this.ensuredOnce) this.logger.warn(`Consumer ${this.name} was missing; creating it again`);
      try {
        return await jsm.consumers.add(SIGNUP_EVENTS_STREAM, wanted);
      } catch (error) {
        // Another instance of the handler may have created it first.
        existing = await this.info(jsm).catch(() => undefined);
        if (existing === undefined) throw error;
      }
    }
    const { config } = existing;
    if (config.ack_wait === wanted.ack_wait && config.max_ack_pending === wanted.max_ack_pending
      && config.max_deliver === wanted.max_deliver && config.filter_subject === wanted.filter_subject) {
      return existing;
    }
    try {
      return await jsm.consumers.update(SIGNUP_EVENTS_STREAM, this.name, {
        ack_wait: wanted.ack_wait,
        max_ack_pending: wanted.max_ack_pending,
        max_deliver: wanted.max_deliver,
        filter_subject: wanted.filter_subject,
      });
    } catch (error) {
      this.logger.warn(`Cannot update the JetStream consumer ${this.name}; using it as it is`, { error: describeNatsError(error) });
      return existing;
    }
  }

  private async info(jsm: JetStreamManager): Promise<ConsumerInfo | undefined> {
    try {
      return await jsm.consumers.info(SIGNUP_EVENTS_STREAM, this.name);
    } catch (error) {
      if (isConsumerNotFound(error)) return undefined;
      throw error;
    }
  }

  private consumerConfig(): Partial<ConsumerConfig> & { durable_name: string } {
    return {
      durable_name: this.name,
      description: `SignUp handler ${this.name}`,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(this.tuning.ackWaitMs),
      max_deliver: -1,
      max_ack_pending: this.tuning.maxAckPending,
      filter_subject: PROSPECT_SIGNED_UP_SUBJECT,
    };
  }
}
