import type { SignUpAttempt } from './sign-up-ledger.js';

/** How the answers of one status spread after a fault, in ms relative to the fault. */
export interface StatusWindow {
  readonly count: number;
  /** When the first such answer was sent, or undefined when there was none. */
  readonly fromMs: number | undefined;
  /** When the last such answer came back. */
  readonly untilMs: number | undefined;
}

/**
 * The attempts answered `status` that were sent between `faultAt` and `nextFaultAt`
 * (both `performance.now()` times): how many, and from when to when relative to
 * `faultAt`, so a scenario can say how long the 503s lasted around each fault.
 */
export function statusWindow(attempts: readonly SignUpAttempt[], status: number, faultAt: number, nextFaultAt = Infinity): StatusWindow {
  const inWindow = attempts.filter((attempt) => attempt.status === status && attempt.startedAt >= faultAt && attempt.startedAt < nextFaultAt);
  if (inWindow.length === 0) return { count: 0, fromMs: undefined, untilMs: undefined };
  const from = Math.min(...inWindow.map((attempt) => attempt.startedAt));
  const until = Math.max(...inWindow.map((attempt) => attempt.startedAt + attempt.latencyMs));
  return { count: inWindow.length, fromMs: Math.round(from - faultAt), untilMs: Math.round(until - faultAt) };
}

/** `503x12@+40..+2310ms`, or `503x0`: one window for a scenario line. */
export function describeStatusWindow(status: number, window: StatusWindow): string {
  if (window.count === 0) return `${status}x0`;
  return `${status}x${window.count}@+${window.fromMs}..+${window.untilMs}ms`;
}
