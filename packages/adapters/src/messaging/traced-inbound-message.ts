import { ROOT_CONTEXT, type Span } from '@opentelemetry/api';
import { type ProspectSignedUpEvent } from '@signup/domain';
import { PROSPECT_SIGNED_UP_SUBJECT } from './event-subjects.js';
import { recordMessageFailure, type MessagingTracer, type TracedMessage } from '../tracing/messaging-tracer.js';
import type { InboundMessage } from './inbound-message.js';

function failure(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/**
 * An `InboundMessage` with its spans: the `receive` span is made when it is wrapped, and
 * the `process` span runs from then until the message is settled, both children of the
 * context the producer sent (a message without one starts a trace of its own). Settling
 * ends the process span: `ack` as a success, `redeliverLater` as a `transient` failure,
 * `term` after a dead letter as `dead-lettered` with the reason. Every call is passed on to
 * the wrapped message unchanged. See docs/observability.md.
 */
export class TracedInboundMessage implements InboundMessage {
  /** The message's context as the batch span links to it. */
  readonly traced: TracedMessage;
  private readonly span: Span;
  private deadLetterReason: string | undefined;

  constructor(private readonly inner: InboundMessage, tracer: MessagingTracer) {
    this.traced = tracer.receive(PROSPECT_SIGNED_UP_SUBJECT, inner.traceContext?.() ?? { parent: ROOT_CONTEXT });
    this.span = tracer.startProcess(PROSPECT_SIGNED_UP_SUBJECT, this.traced);
  }

  get deliveryCount(): number {
    return this.inner.deliveryCount;
  }

  get label(): string {
    return this.inner.label;
  }

  decode(): ProspectSignedUpEvent {
    const event = this.inner.decode();
    // A message without Nats-Msg-Id (a legacy publisher's) is named by its correlation id once decoded.
    this.span.setAttribute('messaging.message.id', event.correlationId);
    return event;
  }

  ack(): void {
    this.inner.ack();
    this.span.end();
  }

  redeliverLater(delayMs: number): void {
    this.inner.redeliverLater(delayMs);
    recordMessageFailure(failure('MessageRetried', `delivered again in ${delayMs} ms`), 'transient', this.span);
    this.span.end();
  }

  publishDeadLetter(reason: string): Promise<void> {
    this.deadLetterReason = reason;
    return this.inner.publishDeadLetter(reason);
  }

  term(): void {
    this.inner.term();
    recordMessageFailure(failure('MessageDeadLettered', this.deadLetterReason ?? 'dead-lettered'), 'dead-lettered', this.span);
    this.span.end();
  }

  traceContext(): TracedMessage {
    return this.traced;
  }
}
