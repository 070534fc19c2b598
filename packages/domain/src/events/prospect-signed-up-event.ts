import type { Prospect } from '../model/prospect.js';

/** The subject a `ProspectSignedUpEvent` is published on, as in the original app. */
export const PROSPECT_SIGNED_UP_SUBJECT = 'events.prospect.signedup';

/** Where a handler sends a message it can never process, with the reason in headers. */
export const PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT = 'deadletter.events.prospect.signedup';

/**
 * A person signed up. `correlationId` is a UUID that doubles as the idempotency
 * key: saving the same event twice stores one row.
 */
export interface ProspectSignedUpEvent {
  readonly correlationId: string;
  readonly signedUpAt: Date;
  readonly prospect: Prospect;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True when the value can serve as a correlation id (a UUID in its canonical text form). */
export function isCorrelationId(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}
