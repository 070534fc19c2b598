import type { EventOutcome, ILogger, IProspectEventHandler, ProspectSignedUpEvent } from '@signup/domain';

/**
 * Runs a handler on a batch and never throws: it returns exactly one outcome per event; a thrown
 * error makes every event `retry`, and a missing outcome (or an answer that is not a
 * list) is `retry` too, logged, since it is a bug in the handler.
 */
export async function oneOutcomePerEvent(
  handler: IProspectEventHandler,
  events: readonly ProspectSignedUpEvent[],
  logger: ILogger,
): Promise<EventOutcome[]> {
  let answer: unknown;
  try {
    answer = await handler.handle(events);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    logger.warn(`Handler ${handler.name} failed; retrying its batch of ${events.length} events`, { error });
    return events.map(() => ({ status: 'retry', reason }));
  }
  const outcomes: readonly EventOutcome[] = Array.isArray(answer) ? answer as EventOutcome[] : [];
  if (outcomes.length !== events.length) {
    logger.error(`Handler ${handler.name} returned ${outcomes.length} outcomes for ${events.length} events; the missing ones are retried`);
  }
  return events.map((_event, index) => outcomes[index] ?? { status: 'retry', reason: 'The handler returned no outcome for the event.' });
}
