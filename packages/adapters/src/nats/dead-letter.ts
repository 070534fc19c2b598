import { headers, type MsgHdrs } from 'nats';

export { DEFAULT_RETRY_DELAYS_MS, retryDelayMs } from '../messaging/retry-delay.js';

/** Header naming the handler that gave up on a dead-lettered message. */
export const DEAD_LETTER_HANDLER_HEADER = 'SignUp-Handler';
/** Header saying why the message was dead-lettered, in words. */
export const DEAD_LETTER_REASON_HEADER = 'SignUp-Reason';
/** Header holding the subject the message was first published on, for replay. */
export const DEAD_LETTER_ORIGINAL_SUBJECT_HEADER = 'SignUp-Original-Subject';
/** Header holding how many times the message had been delivered when it was dead-lettered. */
export const DEAD_LETTER_DELIVERY_COUNT_HEADER = 'SignUp-Delivery-Count';
/**
 * Header set when the body had to be cut to fit the server's payload limit next to the
 * dead-letter headers: the size in bytes of the original body. With JetStream the whole
 * message stays in the events stream (at `SignUp-Original-Sequence`) while the stream keeps it.
 */
export const DEAD_LETTER_TRUNCATED_HEADER = 'SignUp-Truncated-From';
/** Header holding the message's sequence in the stream it was consumed from (JetStream only). */
export const DEAD_LETTER_ORIGINAL_SEQUENCE_HEADER = 'SignUp-Original-Sequence';

const MAX_REASON_LENGTH = 1000;

/** Why and where a message was dead-lettered. */
export interface DeadLetterDetails {
  readonly handler: string;
  readonly reason: string;
  readonly originalSubject: string;
  readonly deliveryCount: number;
  /** The message's sequence in its stream, when it came from one. */
  readonly originalSequence?: number;
}

/** The headers a dead-lettered message carries. Header values cannot hold line breaks, so they become spaces. */
export function deadLetterHeaders(details: DeadLetterDetails): MsgHdrs {
  const result = headers();
  result.set(DEAD_LETTER_HANDLER_HEADER, headerValue(details.handler));
  result.set(DEAD_LETTER_REASON_HEADER, headerValue(details.reason));
  result.set(DEAD_LETTER_ORIGINAL_SUBJECT_HEADER, headerValue(details.originalSubject));
  result.set(DEAD_LETTER_DELIVERY_COUNT_HEADER, String(details.deliveryCount));
  if (details.originalSequence !== undefined) result.set(DEAD_LETTER_ORIGINAL_SEQUENCE_HEADER, String(details.originalSequence));
  return result;
}

/**
 * The body to publish as a dead letter: the message's own body, or, when that body and
 * the headers together exceed the server's `maxPayload` (a message at the limit gains
 * the dead-letter headers), its first bytes, with `SignUp-Truncated-From` added to
 * `hdrs`. Without the cut such a message could never be dead-lettered and would be
 * redelivered forever. `extraHeaders` are headers the client adds on publish
 * (`Nats-Msg-Id`), counted too.
 */
export function fitDeadLetterBody(data: Uint8Array, hdrs: MsgHdrs, maxPayload: number | undefined, extraHeaders: Readonly<Record<string, string>> = {}): Uint8Array {
  if (maxPayload === undefined || data.length + headerBytes(hdrs, extraHeaders) <= maxPayload) return data;
  hdrs.set(DEAD_LETTER_TRUNCATED_HEADER, String(data.length));
  return data.subarray(0, Math.max(0, maxPayload - headerBytes(hdrs, extraHeaders)));
}

// The size of the headers as the client encodes them: `NATS/1.0\r\n`, one `Key: value\r\n` per value, `\r\n`.
function headerBytes(hdrs: MsgHdrs, extraHeaders: Readonly<Record<string, string>>): number {
  const lines: string[] = [];
  for (const [key, values] of hdrs) for (const value of values) lines.push(`${key}: ${value}\r\n`);
  for (const [key, value] of Object.entries(extraHeaders)) lines.push(`${key}: ${value}\r\n`);
  return Buffer.byteLength(`NATS/1.0\r\n${lines.join('')}\r\n`, 'utf8');
}

function headerValue(value: string): string {
  const single = value.replace(/[\r\n]+/g, ' ').trim();
  return single.length > MAX_REASON_LENGTH ? `${single.slice(0, MAX_REASON_LENGTH - 1)}…` : single;
}
