import type { Prospect } from '../model/prospect.js';

/**
 * The type of a `ProspectSignedUpEvent`: what the event is, not where a broker carries
 * it (each messaging adapter maps the type to its own address).
 */
export const PROSPECT_SIGNED_UP_EVENT_TYPE = 'ProspectSignedUp';

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
