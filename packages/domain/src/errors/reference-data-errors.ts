import { SignUpError, type SignUpErrorOptions } from './signup-error.js';

/** The reference-code fields of a prospect, as named on the form and in the JSON API. */
export type ReferenceCodeField = 'countryCode' | 'roleCode';

const FIELD_WORDS: Readonly<Record<ReferenceCodeField, string>> = { countryCode: 'country code', roleCode: 'role code' };

/** Options of an `UnknownReferenceCodeError`. */
export interface UnknownReferenceCodeErrorOptions extends SignUpErrorOptions {
  /** The field whose code is unknown, when the store can tell (a foreign-key violation on SQLite cannot). */
  readonly field?: ReferenceCodeField;
  /** The code itself, when the store knows it. */
  readonly referenceCode?: string;
}

/**
 * A prospect names a country or role code the store's reference data does not hold
 * (code `UNKNOWN_REFERENCE_CODE`). Permanent: saving the same prospect again fails the
 * same way until the code is added; a handler dead-letters the event with this message
 * as the reason.
 */
export class UnknownReferenceCodeError extends SignUpError {
  readonly field: ReferenceCodeField | undefined;
  readonly referenceCode: string | undefined;

  constructor(options: UnknownReferenceCodeErrorOptions = {}) {
    const what = options.field === undefined ? 'country or role code' : FIELD_WORDS[options.field];
    const named = options.referenceCode === undefined ? `The ${what}` : `The ${what} ${JSON.stringify(options.referenceCode)}`;
    const field = options.field === undefined ? '' : `${options.field}: `;
    super('UNKNOWN_REFERENCE_CODE', `${field}${named} is not in the reference data.`, { cause: options.cause });
    this.field = options.field;
    this.referenceCode = options.referenceCode;
  }
}

/**
 * The countries and roles could not be loaded from their source (code
 * `REFERENCE_DATA_UNAVAILABLE`). Transient: the source may answer later.
 */
export class ReferenceDataUnavailableError extends SignUpError {
  constructor(message: string, options: SignUpErrorOptions = {}) {
    super('REFERENCE_DATA_UNAVAILABLE', message, { ...options, transient: true });
  }
}
