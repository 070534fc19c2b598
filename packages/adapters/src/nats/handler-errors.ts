import { SignUpError } from '@signup/domain';

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

/**
 * A handler cannot replay its stream from the start while other instances of it are
 * consuming (code `HANDLER_IN_USE`): they would take part of the replay and the
 * documents they write could be lost to the rebuild. Stop them and try again.
 */
export class HandlerInUseError extends SignUpError {
  readonly handlerName: string;

  constructor(handlerName: string, detail: string) {
    super('HANDLER_IN_USE', `Other instances of ${handlerName} are running (${detail}); stop them all, then start the rebuild again.`);
    this.handlerName = handlerName;
  }
}
