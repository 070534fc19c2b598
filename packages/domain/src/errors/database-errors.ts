import { SignUpError, type SignUpErrorOptions } from './signup-error.js';

/**
 * The store refused a value of the prospect (too long for its column, not
 * representable, no valid sign-up time) (code `PROSPECT_NOT_STORABLE`). Permanent.
 */
export class ProspectNotStorableError extends SignUpError {
  constructor(message: string, options: SignUpErrorOptions = {}) {
    super('PROSPECT_NOT_STORABLE', message, options);
  }
}

/**
 * The database failed in a way SignUp does not recognise as an outage or as bad data
 * (code `DATABASE_ERROR`), such as a schema it did not create. Permanent: retrying
 * will not help until a person looks.
 */
export class DatabaseError extends SignUpError {
  constructor(message: string, options: SignUpErrorOptions = {}) {
    super('DATABASE_ERROR', message, options);
  }
}
