import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Link, type Span, type Tracer } from '@opentelemetry/api';
import { isTransientError } from '@signup/domain';
import { maskSecrets } from '../logging/index.js';
import { errorType } from './child-span.js';

/** How a failed message was dealt with, recorded on its span as `signup.failure.classification`. */
export type FailureClassification = 'transient' | 'permanent' | 'dead-lettered';

/** One message of a batch: its id and the context its producer sent (see `extractTraceContext`). */
export interface TracedMessage {
  readonly messageId?: string | undefined;
  readonly parent: Context;
}

/** Options of a `MessagingTracer`. */
export interface MessagingTracerOptions {
  /** `messaging.system`. Default `nats`. */
  readonly system?: string;
  /** `messaging.consumer.group.name` on consumer spans: the durable consumer (`save-handler`). */
  readonly consumerGroup?: string;
}

/** The span attribute carrying a `FailureClassification`. */
export const FAILURE_CLASSIFICATION_ATTRIBUTE = 'signup.failure.classification';

/**
 * Makes the spans of the OpenTelemetry messaging conventions around publishing and handling
 * events: a PRODUCER `publish <subject>` span, CONSUMER `receive <subject>` and
 * `process <subject>` spans whose parent is the context the message carried, and a CONSUMER
 * batch span linked to every message of the batch. Each span names the system, the
 * destination, the operation and the message id (the correlation id). A callback that throws
 * marks its span failed, classified transient or permanent, and the error is rethrown
 * unchanged. See docs/observability.md.
 */
export class MessagingTracer {
  private readonly system: string;
  private readonly consumerGroup: string | undefined;

  constructor(private readonly tracer: Tracer, options: MessagingTracerOptions = {}) {
    this.system = options.system ?? 'nats';
    this.consumerGroup = options.consumerGroup;
  }

  /** This tracer for another consumer group (a bus delivering to several handlers names each one's). */
  forConsumerGroup(consumerGroup: string): MessagingTracer {
    return consumerGroup === this.consumerGroup ? this : new MessagingTracer(this.tracer, { system: this.system, consumerGroup });
  }

  /**
   * Runs `send` inside a PRODUCER span, active while it runs, so trace context injected by
   * `send` (`injectTraceContext`, `traceContextRecord`) names this span as the parent.
   */
  publish<T>(destination: string, messageId: string, send: () => Promise<T>): Promise<T> {
    const span = this.tracer.startSpan(`publish ${destination}`, {
      kind: SpanKind.PRODUCER,
      attributes: this.attributes(destination, 'send', 'publish', messageId),
    });
    return this.runIn(span, trace.setSpan(context.active(), span), send);
  }

  /**
   * Records that a message was received: a CONSUMER span under the producer's context, ended
   * at once. Returns the message to hand to `process`: as given when it carried a context,
   * else with the receive span as its parent, so a legacy message's receive and process
   * spans share one new trace.
   */
  receive(destination: string, message: TracedMessage): TracedMessage {
    const span = this.tracer.startSpan(`receive ${destination}`, {
      kind: SpanKind.CONSUMER,
      attributes: this.consumerAttributes(destination, 'receive', message.messageId),
    }, message.parent);
    span.end();
    const carried = trace.getSpanContext(message.parent);
    if (carried !== undefined && trace.isSpanContextValid(carried)) return message;
    return { messageId: message.messageId, parent: trace.setSpan(message.parent, span) };
  }

  /** Runs `handle` inside a CONSUMER `process` span whose parent is the producer's context. */
  process<T>(destination: string, message: TracedMessage, handle: () => Promise<T>): Promise<T> {
    const span = this.startProcess(destination, message);
    return this.runIn(span, trace.setSpan(message.parent, span), handle);
  }

  /**
   * Starts the CONSUMER `process` span of one message of a batch, whose parent is the
   * producer's context, for a consumer that settles each message at its own moment. The
   * caller ends it once the message is settled, with `recordMessageFailure` first when it
   * failed.
   */
  startProcess(destination: string, message: TracedMessage): Span {
    return this.tracer.startSpan(`process ${destination}`, {
      kind: SpanKind.CONSUMER,
      attributes: this.consumerAttributes(destination, 'process', message.messageId),
    }, message.parent);
  }

  /**
   * Runs `handle` (a batch's database write, say) inside a CONSUMER span that starts a trace of
   * its own and links to the context of every message in the batch, as the messaging
   * conventions ask of batch consumers.
   */
  batch<T>(destination: string, messages: readonly TracedMessage[], handle: () => Promise<T>): Promise<T> {
    const links: Link[] = [];
    for (const message of messages) {
      const spanContext = trace.getSpanContext(message.parent);
      if (spanContext !== undefined && trace.isSpanContextValid(spanContext)) links.push({ context: spanContext });
    }
    const span = this.tracer.startSpan(`process ${destination}`, {
      kind: SpanKind.CONSUMER,
      root: true,
      links,
      attributes: { ...this.consumerAttributes(destination, 'process', undefined), 'messaging.batch.message_count': messages.length },
    }, ROOT_CONTEXT);
    return this.runIn(span, trace.setSpan(ROOT_CONTEXT, span), handle);
  }

  private async runIn<T>(span: Span, spanContext: Context, run: () => Promise<T>): Promise<T> {
    try {
      return await context.with(spanContext, run);
    } catch (error) {
      recordMessageFailure(error, isTransientError(error) ? 'transient' : 'permanent', span);
      throw error;
    } finally {
      span.end();
    }
  }

  private consumerAttributes(destination: string, operation: 'receive' | 'process', messageId: string | undefined): Attributes {
    const attributes = this.attributes(destination, operation, operation, messageId);
    if (this.consumerGroup !== undefined) attributes['messaging.consumer.group.name'] = this.consumerGroup;
    return attributes;
  }

  private attributes(destination: string, type: string, name: string, messageId: string | undefined): Attributes {
    const attributes: Attributes = {
      'messaging.system': this.system,
      'messaging.destination.name': destination,
      'messaging.operation.type': type,
      'messaging.operation.name': name,
    };
    if (messageId !== undefined) attributes['messaging.message.id'] = messageId;
    return attributes;
  }
}

/**
 * Marks `span` (the active span by default) failed: status ERROR, the exception as an event,
 * `error.type` (the error's code, else its name) and the classification. Does nothing when
 * no span is recording, so it costs nothing with tracing off. Emails and credentials in the
 * error's message and stack are masked as in the logs.
 */
export function recordMessageFailure(error: unknown, classification: FailureClassification, span: Span | undefined = trace.getActiveSpan()): void {
  if (span === undefined || !span.isRecording()) return;
  span.setAttribute('error.type', errorType(error));
  span.setAttribute(FAILURE_CLASSIFICATION_ATTRIBUTE, classification);
  const message = maskSecrets(error instanceof Error ? error.message : String(error));
  if (error instanceof Error) {
    span.recordException({ name: error.name, message, ...(error.stack === undefined ? {} : { stack: maskSecrets(error.stack) }) });
  }
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}
