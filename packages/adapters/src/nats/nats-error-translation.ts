import { QueueUnavailableError } from '@signup/domain';
import { ErrorCode, NatsError } from 'nats';

const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;

/** A short, loggable description of a nats client error (its code and message). */
export function describeNatsError(error: unknown): string {
  if (error instanceof Error) {
    const code = error instanceof NatsError ? error.code : undefined;
    if (code === ErrorCode.NoResponders) return 'no responders (no stream stores the subject, or JetStream is not available)';
    if (code === ErrorCode.Timeout) return 'timed out';
    if (code === ErrorCode.ConnectionClosed) return 'the connection is closed';
    if (code === ErrorCode.ConnectionDraining) return 'the connection is draining';
    return code === undefined || error.message.includes(code) ? error.message : `${error.message} (${code})`;
  }
  return String(error);
}

/**
 * Wraps a nats client error in a `QueueUnavailableError` that keeps it as `cause`.
 * `sent` says the message had been handed to the client for sending: then, unless the
 * server answered that nothing listens (no responders), the outcome is unknown — the
 * server may have taken it and only the confirmation was lost.
 */
export function queueUnavailable(what: string, error: unknown, sent = false): QueueUnavailableError {
  const outcomeUnknown = sent && !(error instanceof NatsError && error.code === String(ErrorCode.NoResponders));
  return new QueueUnavailableError(`${what}: ${describeNatsError(error)}.`, { cause: error, outcomeUnknown });
}

/** True when JetStream answered that the stream does not exist. */
export function isStreamNotFound(error: unknown): boolean {
  return error instanceof NatsError
    && (error.api_error?.err_code === STREAM_NOT_FOUND || error.message === 'stream not found');
}

/** True when JetStream answered that the consumer does not exist. */
export function isConsumerNotFound(error: unknown): boolean {
  return error instanceof NatsError
    && (error.api_error?.err_code === CONSUMER_NOT_FOUND || error.message === 'consumer not found');
}

/** True when JetStream answered the request with an API error (as opposed to a timeout or a lost connection). */
export function isJetStreamApiError(error: unknown): boolean {
  return error instanceof NatsError && error.api_error !== undefined;
}
