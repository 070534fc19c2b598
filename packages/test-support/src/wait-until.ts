/** How long and how often `waitUntil` polls. */
export interface WaitOptions {
  /** Give up after this long. Generous by default: a deadline, not a speed requirement. */
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /** Named in the error when the deadline passes. */
  readonly description?: string;
}

/**
 * The one polling helper of the tests: polls `probe` until it returns something other
 * than `undefined`/`false` and resolves with that value. Errors thrown by the probe
 * count as "not yet".
 *
 * @throws Error naming `description` (and the probe's last error) when the deadline passes.
 */
export async function waitUntil<T>(probe: () => Promise<T | undefined | false> | T | undefined | false, options: WaitOptions = {}): Promise<T> {
  const { timeoutMs = 60_000, intervalMs = 50, description = 'the condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}${why}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
