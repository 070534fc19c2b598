/** How severe a log line is, from least to most: the methods of `ILogger`, and the values of the hosts' `Logging:LogLevel`. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Structured fields attached to a log line. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * Writes log lines. Implementations mask email addresses and credentials in both
 * the message and the fields, so callers may pass them as they are.
 */
export interface ILogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}
export const ILogger: unique symbol = Symbol.for('signup.ILogger');
