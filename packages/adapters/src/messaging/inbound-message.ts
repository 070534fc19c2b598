import type { ProspectSignedUpEvent } from '@signup/domain';
import type { TracedMessage } from '../tracing/messaging-tracer.js';

/**
 * One received message as a transport hands it to `settleBatch`: the event it
 * carries and the transport's own ways of settling it. Nothing else about the
 * outcome rules is the transport's business.
 */
export interface InboundMessage {
  /** How many times the message has been delivered, counting this time (1 = the first). */
  readonly deliveryCount: number;
  /** Names the message in log lines (`message 42`, `event 5f0c…`). */
  readonly label: string;
  /**
   * The event the message carries.
   *
   * @throws Error saying why the message cannot be decoded; it is then dead-lettered with that reason.
   */
  decode(): ProspectSignedUpEvent;
  /** The handler is done with the message: it is not delivered again. */
  ack(): void;
  /** Delivers the message again after `delayMs` (JetStream: a nak with that delay; core NATS: a timer in the process). */
  redeliverLater(delayMs: number): void;
  /**
   * Stores a copy of the message with the reason where dead letters are kept.
   *
   * @throws Error when the copy could not be stored; the message is then delivered again later instead.
   */
  publishDeadLetter(reason: string): Promise<void>;
  /** Called once the dead letter is stored: the message is never delivered again (JetStream: term). */
  term(): void;
  /**
   * The trace context the producer sent with the message (`extractTraceContext` of its
   * headers) and its id; read only when tracing is on. Absent: the message starts a trace.
   */
  traceContext?(): TracedMessage;
}
