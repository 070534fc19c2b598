import type { ReferenceData } from '../model/reference-data.js';

/**
 * Loads the countries and roles a prospect may choose from (from the database, or
 * from the original reference-data API). Chosen by `Dependencies:IReferenceDataLoader`.
 *
 * @throws DatabaseUnavailableError or ReferenceDataUnavailableError (transient) when the source cannot be reached.
 */
export interface IReferenceDataLoader {
  load(): Promise<ReferenceData>;
}
export const IReferenceDataLoader: unique symbol = Symbol.for('signup.IReferenceDataLoader');
