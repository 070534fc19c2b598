/**
 * An error as one line for a host's start-up failure: its message, with its cause's
 * message in brackets when the message does not already say it, line breaks folded.
 * Not masked: the caller masks the line it writes.
 */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error && !error.message.includes(error.cause.message) ? ` (${error.cause.message})` : '';
  return `${error.message}${cause}`.replace(/\s*\n\s*/g, ' ');
}
