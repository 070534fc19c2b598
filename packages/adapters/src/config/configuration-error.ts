import { SignUpError, type SignUpErrorOptions } from '@signup/domain';

/**
 * A configuration value is missing or not one of the accepted values. The message
 * is one line that names the key, the bad value and what would be accepted.
 */
export class ConfigurationError extends SignUpError {
  readonly key: string;

  constructor(key: string, message: string, options: SignUpErrorOptions = {}) {
    super('CONFIGURATION_INVALID', message, options);
    this.key = key;
  }
}
