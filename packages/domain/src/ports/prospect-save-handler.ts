import type { ProspectSignedUpEvent } from '../events/prospect-signed-up-event.js';

/** What became of a sign-up: stored in the database now, or queued for a handler to store. */
export type ProspectSaveResult =
  | { readonly status: 'saved'; readonly correlationId: string; readonly prospectId: number }
  | { readonly status: 'queued'; readonly correlationId: string };

/**
 * Saves one signed-up prospect. The synchronous implementation writes to the
 * database in the call; the asynchronous one publishes the event and returns once
 * the queue has confirmed it stored it. Which one runs is chosen by configuration
 * (`Dependencies:IProspectSaveHandler`).
 *
 * Idempotent on `event.correlationId`.
 *
 * @throws DatabaseUnavailableError or QueueUnavailableError when the save could not be accepted; nothing was saved.
 */
export interface IProspectSaveHandler {
  /** The public implementation name, as used in configuration. */
  readonly name: string;
  save(event: ProspectSignedUpEvent): Promise<ProspectSaveResult>;
}
export const IProspectSaveHandler: unique symbol = Symbol.for('signup.IProspectSaveHandler');
