import { type EventOutcome, type ILogger, type IProspectEventHandler, type ProspectSignedUpEvent } from '@signup/domain';
import { PROSPECT_SIGNED_UP_SUBJECT } from './event-subjects.js';
import type { MessagingTracer } from '../tracing/messaging-tracer.js';
import type { InboundMessage } from './inbound-message.js';
import { oneOutcomePerEvent } from './one-outcome-per-event.js';
import { retryDelayMs } from './retry-delay.js';
import { TracedInboundMessage } from './traced-inbound-message.js';

/** What `settleBatch` needs besides the messages. */
export interface SettleBatchOptions {
  readonly handler: IProspectEventHandler;
  readonly logger: ILogger;
  /** Redelivery delays by delivery count; the last one repeats. */
  readonly retryDelaysMs: readonly number[];
  /**
   * Makes the spans of each message (receive, process) and of the batch's handling (linked to
   * every message) when given, that is when tracing is on. See docs/observability.md.
   */
  readonly tracer?: MessagingTracer | undefined;
}

/** How a batch was settled. */
export interface BatchSettlement {
  readonly done: number;
  readonly retried: number;
  readonly deadLettered: number;
}

/**
 * Decodes a batch, hands the events to the handler and settles every message by
 * its outcome, the same way on every transport: undecodable or `rejected` → a dead
 * letter with the reason, then `term`; `retry`, a thrown handler error or a missing
 * outcome → `redeliverLater` with a delay growing with the delivery count; `done` →
 * `ack`. A dead letter that cannot be stored is delivered again later instead: a
 * message is never dropped. Resolves once every dead letter is stored or given up.
 * With `options.tracer`, each message gets its receive and process spans
 * (`TracedInboundMessage`) and the handler runs inside a batch span linked to them.
 */
export function settleBatch(messages: readonly InboundMessage[], options: SettleBatchOptions): Promise<BatchSettlement> {
  const { handler, logger } = options;
  if (options.tracer === undefined) return settle(messages, options, (events) => oneOutcomePerEvent(handler, events, logger));
  // The consumer group is the handler's: its durable consumer, queue group or in-process group.
  const tracer = options.tracer.forConsumerGroup(handler.name);
  return settle(messages.map((message) => new TracedInboundMessage(message, tracer)), options, (events, batch) => (
    tracer.batch(PROSPECT_SIGNED_UP_SUBJECT, batch.map((message) => message.traced), () => oneOutcomePerEvent(handler, events, logger))
  ));
}

async function settle<M extends InboundMessage>(
  messages: readonly M[],
  options: SettleBatchOptions,
  handle: (events: ProspectSignedUpEvent[], messages: M[]) => Promise<EventOutcome[]>,
): Promise<BatchSettlement> {
  const { handler, logger, retryDelaysMs } = options;
  const deadLetters: Promise<boolean>[] = [];
  const decoded: { message: M; event: ProspectSignedUpEvent }[] = [];

  const deadLetter = async (message: InboundMessage, reason: string, correlationId?: string): Promise<boolean> => {
    try {
      await message.publishDeadLetter(reason);
    } catch (error) {
      logger.warn(`Cannot dead-letter ${message.label}; it will be delivered again`, {
        handler: handler.name, reason, error: error instanceof Error ? error.message : String(error),
      });
      message.redeliverLater(retryDelayMs(message.deliveryCount, retryDelaysMs));
      return false;
    }
    message.term();
    logger.warn(`Dead-lettered ${message.label} from ${handler.name}: ${reason}`, {
      handler: handler.name, reason, deliveryCount: message.deliveryCount, ...(correlationId === undefined ? {} : { correlationId }),
    });
    return true;
  };

  for (const message of messages) {
    try {
      decoded.push({ message, event: message.decode() });
    } catch (error) {
      deadLetters.push(deadLetter(message, error instanceof Error ? error.message : String(error)));
    }
  }

  let done = 0;
  let retried = 0;
  if (decoded.length > 0) {
    const outcomes = await handle(decoded.map(({ event }) => event), decoded.map(({ message }) => message));
    let retryReason = '';
    outcomes.forEach((outcome, index) => {
      const { message, event } = decoded[index]!;
      if (outcome.status === 'done') {
        done += 1;
        message.ack();
      } else if (outcome.status === 'rejected') {
        deadLetters.push(deadLetter(message, outcome.reason, event.correlationId));
      } else {
        retried += 1;
        retryReason = outcome.reason;
        message.redeliverLater(retryDelayMs(message.deliveryCount, retryDelaysMs));
      }
    });
    if (retried > 0) {
      logger.warn(`Handler ${handler.name} will retry ${retried} of ${decoded.length} events later`, { reason: retryReason });
    }
  }
  const stored = await Promise.all(deadLetters);
  return { done, retried, deadLettered: stored.filter(Boolean).length };
}
