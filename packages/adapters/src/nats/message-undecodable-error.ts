import { SignUpError, type SignUpErrorOptions } from '@signup/domain';

/** A message could not be decoded into an event. Permanent: the same bytes will never decode. */
export class MessageUndecodableError extends SignUpError {
  constructor(message: string, options: SignUpErrorOptions = {}) {
    super('MESSAGE_UNDECODABLE', message, options);
  }
}
