import { isTransientError, ProspectInvalidError } from '../errors/signup-error.js';
import type { ProspectSignedUpEvent } from '../events/prospect-signed-up-event.js';
import type { ReferenceData } from '../model/reference-data.js';
import type { EventOutcome } from '../ports/event-subscriber.js';
import type { IReferenceDataLoader } from '../ports/reference-data-loader.js';

/** What a batch handler does with the events: make each ready to write, then write them. */
export interface BatchWriter<T> {
  /** Validates an event and makes what is written of it. @throws for an event that can never be written. */
  prepare(event: ProspectSignedUpEvent, reference: ReferenceData): T;
  /** Writes a batch in one go; one outcome per item, in order. @throws when the batch failed. */
  writeMany(items: readonly T[]): Promise<EventOutcome[]>;
  /** Writes one item, when its batch failed for a reason that is not an outage. @throws when it failed. */
  writeOne(item: T): Promise<EventOutcome>;
}

/** One line saying why an event failed: each invalid field with its message, or the error's message. */
export function describeFailure(error: unknown): string {
  if (error instanceof ProspectInvalidError) {
    return Object.entries(error.errors).map(([field, message]) => `${field}: ${message}`).join(' ');
  }
  return error instanceof Error ? error.message : String(error);
}

function failed(error: unknown): EventOutcome {
  return isTransientError(error)
    ? { status: 'retry', reason: describeFailure(error) }
    : { status: 'rejected', reason: describeFailure(error) };
}

/**
 * The shape every batching handler shares: load the reference data (an outage
 * retries the whole batch), prepare each event (a failure rejects that event with
 * the reason), write the prepared ones in one batch. An outage retries them all; a
 * failure that is not an outage writes each on its own, so one bad item cannot hold
 * back the others.
 */
export async function prepareAndWriteBatch<T>(
  events: readonly ProspectSignedUpEvent[],
  referenceData: IReferenceDataLoader,
  writer: BatchWriter<T>,
): Promise<EventOutcome[]> {
  const outcomes: EventOutcome[] = new Array<EventOutcome>(events.length);
  let reference: ReferenceData;
  try {
    reference = await referenceData.load();
  } catch (error) {
    return events.map(() => ({ status: 'retry', reason: describeFailure(error) }));
  }

  const prepared: { index: number; item: T }[] = [];
  events.forEach((event, index) => {
    try {
      prepared.push({ index, item: writer.prepare(event, reference) });
    } catch (error) {
      outcomes[index] = { status: 'rejected', reason: describeFailure(error) };
    }
  });
  if (prepared.length === 0) return outcomes;

  try {
    const written = await writer.writeMany(prepared.map((entry) => entry.item));
    prepared.forEach((entry, i) => {
      outcomes[entry.index] = written[i] ?? { status: 'retry', reason: 'The batch write reported no outcome for the event.' };
    });
  } catch (error) {
    if (isTransientError(error) || prepared.length === 1) {
      const outcome = failed(error);
      for (const entry of prepared) outcomes[entry.index] = outcome;
      return outcomes;
    }
    for (const entry of prepared) outcomes[entry.index] = await writer.writeOne(entry.item).catch(failed);
  }
  return outcomes;
}
