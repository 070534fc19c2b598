/** Options accepted by every SignUp error. */
export interface SignUpErrorOptions {
  readonly cause?: unknown;
}

/**
 * Base of every error SignUp throws. `code` is stable and namespaced so callers
 * (the web host's error middleware, the message handlers) can branch on it
 * without matching messages. `transient` says whether retrying later can succeed.
 */
export class SignUpError extends Error {
  readonly code: string;
  readonly transient: boolean;

  constructor(code: string, message: string, options: SignUpErrorOptions & { transient?: boolean } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.transient = options.transient ?? false;
  }
}

/** Fields a prospect is entered with, as named on the form and in the JSON API. */
export type ProspectField = 'firstName' | 'lastName' | 'emailAddress' | 'companyName' | 'countryCode' | 'roleCode';

/** The input failed validation; `errors` maps each offending field to a message meant for the person typing. */
export class ProspectInvalidError extends SignUpError {
  readonly errors: Readonly<Record<string, string>>;

  constructor(errors: Readonly<Record<string, string>>) {
    const fields = Object.keys(errors).join(', ');
    super('PROSPECT_INVALID', `The prospect is not valid (${fields}).`);
    this.errors = errors;
  }
}

/** Options of a `DependencyUnavailableError`. */
export interface DependencyUnavailableErrorOptions extends SignUpErrorOptions {
  /** The write may have taken effect: it was sent, and only its confirmation was lost. */
  readonly outcomeUnknown?: boolean;
}

/**
 * A dependency a save goes through (the message queue, the database) did not confirm it;
 * retrying later can succeed. Usually nothing was stored. `outcomeUnknown` is true when
 * the write was sent and only its confirmation was lost, so it may have been stored: a
 * retry with the same correlation id stores it once either way.
 */
export abstract class DependencyUnavailableError extends SignUpError {
  readonly outcomeUnknown: boolean;

  protected constructor(code: string, message: string, options: DependencyUnavailableErrorOptions = {}) {
    super(code, message, { cause: options.cause, transient: true });
    this.outcomeUnknown = options.outcomeUnknown ?? false;
  }
}

/**
 * The message queue did not confirm that it stored an event. Usually nothing was sent;
 * `outcomeUnknown` when the event was sent but its acknowledgement never came.
 */
export class QueueUnavailableError extends DependencyUnavailableError {
  constructor(message: string, options: DependencyUnavailableErrorOptions = {}) {
    super('QUEUE_UNAVAILABLE', message, options);
  }
}

/**
 * The database could not be reached or did not answer in time. Usually nothing was saved;
 * `outcomeUnknown` when the connection was lost after the statement that commits was sent.
 */
export class DatabaseUnavailableError extends DependencyUnavailableError {
  constructor(message: string, options: DependencyUnavailableErrorOptions = {}) {
    super('DATABASE_UNAVAILABLE', message, options);
  }
}

/** True when retrying the failed operation later can succeed (an outage rather than bad data). */
export function isTransientError(error: unknown): boolean {
  return error instanceof SignUpError && error.transient;
}
