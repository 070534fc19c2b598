import type { ProspectSignedUpEvent } from '../events/prospect-signed-up-event.js';

/** A prospect row: the id the database gave it and the event it came from. */
export interface SavedProspect {
  readonly correlationId: string;
  readonly prospectId: number;
  /** False when a row with this correlation id already existed and nothing was written. */
  readonly created: boolean;
}

/**
 * Stores prospects, idempotent on the event's `correlationId` (the `EventId`
 * column): saving an event that is already stored writes nothing and returns the
 * existing row's id.
 *
 * @throws DatabaseUnavailableError when the database cannot be reached or does not answer in time (transient).
 * @throws UnknownReferenceCodeError when a country or role code is not in the store's reference data (permanent).
 * @throws ProspectNotStorableError when the store refuses a value of the prospect (permanent).
 */
export interface IProspectRepository {
  save(event: ProspectSignedUpEvent): Promise<SavedProspect>;
  /** Saves a batch in one transaction; the result has one entry per input event, in input order. */
  saveMany(events: readonly ProspectSignedUpEvent[]): Promise<SavedProspect[]>;
}
export const IProspectRepository: unique symbol = Symbol.for('signup.IProspectRepository');
