import { type ProspectSignedUpEvent } from '@signup/domain';
import { PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT } from '../messaging/event-subjects.js';
import type { JetStreamClient, JsMsg, NatsConnection } from 'nats';
import type { InboundMessage } from '../messaging/inbound-message.js';
import type { TracedMessage } from '../tracing/messaging-tracer.js';
import { extractTraceContext } from '../tracing/trace-context-propagation.js';
import { deadLetterHeaders, fitDeadLetterBody } from './dead-letter.js';
import { decodeProspectSignedUpEvent } from './prospect-signed-up-codec.js';

/** Where and how a JetStream subscription stores its dead letters. */
export interface JetStreamDeadLetterTarget {
  readonly nc: NatsConnection;
  readonly js: JetStreamClient;
  readonly handler: string;
  readonly timeoutMs: number;
}

/**
 * A JetStream message as `settleBatch` settles it: ack, nak with a delay, term, and
 * a dead letter published to JetStream (awaiting its acknowledgement) with the
 * `SignUp-*` headers and a message id made of the handler and the stream sequence, so
 * a copy published twice is stored once.
 */
export class JetStreamInboundMessage implements InboundMessage {
  constructor(readonly message: JsMsg, private readonly target: JetStreamDeadLetterTarget) {}

  get deliveryCount(): number {
    return this.message.info.deliveryCount;
  }

  get label(): string {
    return `message ${this.message.info.streamSequence}`;
  }

  decode(): ProspectSignedUpEvent {
    return decodeProspectSignedUpEvent(this.message.data);
  }

  ack(): void {
    this.message.ack();
  }

  redeliverLater(delayMs: number): void {
    this.message.nak(delayMs);
  }

  async publishDeadLetter(reason: string): Promise<void> {
    const { info, subject, data } = this.message;
    const { nc, js, handler, timeoutMs } = this.target;
    const msgID = `${handler}:${info.streamSequence}`;
    const headers = deadLetterHeaders({
      handler, reason, originalSubject: subject, deliveryCount: info.deliveryCount, originalSequence: info.streamSequence,
    });
    const body = fitDeadLetterBody(data, headers, nc.info?.max_payload, { 'Nats-Msg-Id': msgID });
    await js.publish(PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, body, { headers, msgID, timeout: timeoutMs });
  }

  term(): void {
    this.message.term();
  }

  traceContext(): TracedMessage {
    const { headers } = this.message;
    const messageId = headers?.get('Nats-Msg-Id');
    return { parent: extractTraceContext(headers), ...(messageId === undefined || messageId === '' ? {} : { messageId }) };
  }
}
