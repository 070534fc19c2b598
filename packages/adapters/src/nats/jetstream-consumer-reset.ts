import { type ILogger } from '@signup/domain';
import { HandlerInUseError } from './handler-errors.js';
import type { NatsConnection } from 'nats';
import { isConsumerNotFound, isStreamNotFound, queueUnavailable } from './nats-error-translation.js';
import { SIGNUP_EVENTS_STREAM } from './signup-stream.js';

/**
 * Deletes a handler's durable consumer on `SIGNUP_EVENTS`, so that the handler's next
 * subscription creates it again at the first event in the stream (a replay of the whole
 * history, as `signup-handler index --rebuild` needs). Refuses while the consumer is in
 * use: an open pull request or unacknowledged messages mean another instance of the
 * handler is running, and it would consume part of the replay. A consumer (or stream)
 * that does not exist is nothing to delete.
 *
 * @throws HandlerInUseError when another instance holds the consumer.
 * @throws QueueUnavailableError when JetStream cannot be reached or refuses.
 */
export async function resetJetStreamConsumer(nc: NatsConnection, name: string, logger: ILogger): Promise<void> {
  try {
    const jsm = await nc.jetstreamManager({ checkAPI: false });
    let info;
    try {
      info = await jsm.consumers.info(SIGNUP_EVENTS_STREAM, name);
    } catch (error) {
      if (isConsumerNotFound(error) || isStreamNotFound(error)) return;
      throw error;
    }
    if (info.num_waiting > 0 || info.num_ack_pending > 0) {
      throw new HandlerInUseError(name, `consumer ${name} has ${info.num_waiting} open pull request(s) and ${info.num_ack_pending} unacknowledged message(s)`);
    }
    await jsm.consumers.delete(SIGNUP_EVENTS_STREAM, name);
    logger.info(`Deleted consumer ${name} (it was at stream sequence ${info.delivered.stream_seq}); it starts again at the first event`);
  } catch (error) {
    if (error instanceof HandlerInUseError) throw error;
    throw queueUnavailable(`Cannot reset the JetStream consumer ${name}`, error);
  }
}
