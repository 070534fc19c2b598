import { SignUpError } from './signup-error.js';

/**
 * A handler's name cannot name its durable consumer (code `HANDLER_NAME_INVALID`):
 * empty, or holding a space, `.`, `*` or `>`. A programming mistake, found at subscribe.
 */
export class HandlerNameInvalidError extends SignUpError {
  readonly handlerName: string;

  constructor(handlerName: string) {
    super('HANDLER_NAME_INVALID', `Handler name "${handlerName}" cannot name a durable consumer (no spaces, '.', '*' or '>').`);
    this.handlerName = handlerName;
  }
}
