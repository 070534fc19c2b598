import { SignUpError } from './signup-error.js';

/**
 * An event's `signedUpAt` is not a valid time (code `SIGN_UP_TIME_INVALID`).
 * Permanent: the same event never gets one, so a handler dead-letters it with this message.
 */
export class SignUpTimeInvalidError extends SignUpError {
  constructor() {
    super('SIGN_UP_TIME_INVALID', 'signedUpAt: the event has no valid sign-up time.');
  }
}
