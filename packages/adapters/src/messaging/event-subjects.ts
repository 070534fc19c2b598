/**
 * The subject an event of type `ProspectSignedUp` (the domain's
 * `PROSPECT_SIGNED_UP_EVENT_TYPE`) is published on, as in the original app; the
 * `Subject` field of the wire format carries it too (docs/architecture.md, "The
 * messaging contract").
 */
export const PROSPECT_SIGNED_UP_SUBJECT = 'events.prospect.signedup';

/** Where a handler sends a message it can never process, with the reason in headers. */
export const PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT = 'deadletter.events.prospect.signedup';

