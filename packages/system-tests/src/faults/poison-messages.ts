import { randomUUID } from 'node:crypto';
import { encodeProspectSignedUpEvent } from '@signup/adapters/nats';
import { prospectEvent } from '../sign-ups.js';

/** The kinds of message no handler can save. */
export type PoisonKind = 'not JSON' | 'wrong shape' | 'unknown country' | 'oversized';

/** A message to publish straight to the stream, and what the dead letter's reason must say. */
export interface PoisonMessage {
  readonly kind: PoisonKind;
  /** The id to publish it with (`Nats-Msg-Id`); also the event's correlation id where it has one. */
  readonly messageId: string;
  readonly data: Uint8Array;
  readonly reason: RegExp;
}

/** Country code no reference data holds. */
export const UNKNOWN_COUNTRY_CODE = 'ATL';

const encoder = new TextEncoder();

/**
 * One message of each poison kind for the n-th round:
 *
 * - `not JSON`: text that is not JSON;
 * - `wrong shape`: JSON, but an array where the prospect should be and no names;
 * - `unknown country`: a well-formed event whose country code is not in the reference data;
 * - `oversized`: a well-formed event whose first name alone fills the message up to
 *   `bytes` (use the server's `max_payload` minus room for the publish's own header), far
 *   beyond what the web accepts.
 */
export function poisonMessages(round: number, oversizedBytes: number): PoisonMessage[] {
  const unknownCountry = prospectEvent(100_000 + round);
  const oversized = prospectEvent(200_000 + round);
  const oversizedBase = encodeProspectSignedUpEvent(oversized).length;
  return [
    { kind: 'not JSON', messageId: randomUUID(), data: encoder.encode(`{ this is not JSON, round ${round}`), reason: /not JSON/i },
    {
      kind: 'wrong shape',
      messageId: randomUUID(),
      data: encoder.encode(JSON.stringify({ CorrelationId: randomUUID(), SignedUpAt: new Date().toISOString(), Prospect: [round] })),
      reason: /Prospect is not a JSON object/i,
    },
    {
      kind: 'unknown country',
      messageId: unknownCountry.correlationId,
      data: encodeProspectSignedUpEvent({
        ...unknownCountry,
        prospect: { ...unknownCountry.prospect, country: { countryCode: UNKNOWN_COUNTRY_CODE, countryName: 'Atlantis' } },
      }),
      reason: /country/i,
    },
    {
      kind: 'oversized',
      messageId: oversized.correlationId,
      data: encodeProspectSignedUpEvent({
        ...oversized,
        prospect: { ...oversized.prospect, firstName: 'X'.repeat(Math.max(1, oversizedBytes - oversizedBase + oversized.prospect.firstName.length)) },
      }),
      reason: /first name/i,
    },
  ];
}
