import { headers, type MsgHdrs } from 'nats';

/** Header naming the handler that gave up on a dead-lettered message. */
export const DEAD_LETTER_HANDLER_HEADER = 'SignUp-Handler';
/** Header saying why the message was dead-lettered, in words. */
export const DEAD_LETTER_REASON_HEADER = 'SignUp-Reason';
/** Header holding the subject the message was first published on, for replay. */
export const DEAD_LETTER_ORIGINAL_SUBJECT_HEADER = 'SignUp-Original-Subject';
/** Header holding how many times the message had been delivered when it was dead-lettered. */
export const DEAD_LETTER_DELIVERY_COUNT_HEADER = 'SignUp-Delivery-Count';

/** Redelivery delays for transient failures, by delivery count; the last one repeats forever. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = Object.freeze([1000, 2000, 5000, 10_000, 30_000]);

const MAX_REASON_LENGTH = 1000;

/** Why and where a message was dead-lettered. */
export interface DeadLetterDetails {
  readonly handler: string;
  readonly reason: string;
  readonly originalSubject: string;
  readonly deliveryCount: number;
}

/** The headers a dead-lettered message carries. Header values cannot hold line breaks, so they become spaces. */
export function deadLetterHeaders(details: DeadLetterDetails): MsgHdrs {
  const result = headers();
  result.set(DEAD_LETTER_HANDLER_HEADER, headerValue(details.handler));
  result.set(DEAD_LETTER_REASON_HEADER, headerValue(details.reason));
  result.set(DEAD_LETTER_ORIGINAL_SUBJECT_HEADER, headerValue(details.originalSubject));
  result.set(DEAD_LETTER_DELIVERY_COUNT_HEADER, String(details.deliveryCount));
  return result;
}

/** How long to wait before redelivering a message that failed for a passing reason on its `deliveryCount`-th delivery. */
export function retryDelayMs(deliveryCount: number, delays: readonly number[] = DEFAULT_RETRY_DELAYS_MS): number {
  if (delays.length === 0) return 0;
  const index = Math.min(Math.max(deliveryCount, 1), delays.length) - 1;
  return delays[index] ?? 0;
}

function headerValue(value: string): string {
  const single = value.replace(/[\r\n]+/g, ' ').trim();
  return single.length > MAX_REASON_LENGTH ? `${single.slice(0, MAX_REASON_LENGTH - 1)}…` : single;
}
