/** Redelivery delays for transient failures, by delivery count; the last one repeats forever. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = Object.freeze([1000, 2000, 5000, 10_000, 30_000]);

/** How long to wait before redelivering a message that failed for a passing reason on its `deliveryCount`-th delivery. */
export function retryDelayMs(deliveryCount: number, delays: readonly number[] = DEFAULT_RETRY_DELAYS_MS): number {
  if (delays.length === 0) return 0;
  const index = Math.min(Math.max(deliveryCount, 1), delays.length) - 1;
  return delays[index] ?? 0;
}
