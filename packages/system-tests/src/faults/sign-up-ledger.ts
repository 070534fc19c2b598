import { randomUUID } from 'node:crypto';

/** How a sign-up reaches the web: the JSON API (`Idempotency-Key`) or the HTML form (`submissionId`). */
export type SignUpChannel = 'api' | 'form';

/** One sign-up the test means to make; its correlation id is fixed before the first attempt and kept for retries. */
export interface PlannedSignUp {
  readonly index: number;
  readonly correlationId: string;
  readonly channel: SignUpChannel;
}

/** One HTTP attempt at a sign-up and what came back. */
export interface SignUpAttempt {
  readonly signUp: PlannedSignUp;
  /** The HTTP status, or 0 when no answer came (connection error or the client's own timeout). */
  readonly status: number;
  /** From sending the request to the end of the response body. */
  readonly latencyMs: number;
  /** `performance.now()` when the request was sent. */
  readonly startedAt: number;
  /** Why no answer came, when `status` is 0. */
  readonly error?: string;
  /** For a 503: whether the answer said that nothing was saved (rather than that the sign-up could not be confirmed). */
  readonly saidNothingSaved?: boolean;
}

/** The statuses that mean the web took responsibility for the sign-up: queued (202), saved (201), thank-you redirect (303). */
export const ACCEPTED_STATUSES: ReadonlySet<number> = new Set([201, 202, 303]);

/**
 * The client's side of the bargain: every sign-up the test planned, every attempt
 * and its answer, and the set of correlation ids the web accepted. A sign-up
 * answered 503 is not accepted until a retry with the same correlation id is.
 */
export class SignUpLedger {
  private readonly planned = new Map<string, PlannedSignUp>();
  private readonly acceptedIds = new Set<string>();
  private readonly recorded: SignUpAttempt[] = [];

  /** Plans a sign-up with a new correlation id. */
  plan(index: number, channel: SignUpChannel): PlannedSignUp {
    const signUp: PlannedSignUp = { index, correlationId: randomUUID(), channel };
    this.planned.set(signUp.correlationId, signUp);
    return signUp;
  }

  record(attempt: SignUpAttempt): void {
    this.recorded.push(attempt);
    if (ACCEPTED_STATUSES.has(attempt.status)) this.acceptedIds.add(attempt.signUp.correlationId);
  }

  /** Correlation ids the web accepted (at the first attempt or a retry). */
  get accepted(): ReadonlySet<string> {
    return this.acceptedIds;
  }

  /** Every correlation id the test planned, accepted or not. */
  get plannedIds(): ReadonlySet<string> {
    return new Set(this.planned.keys());
  }

  get attempts(): readonly SignUpAttempt[] {
    return this.recorded;
  }

  /** Sign-ups that had at least one attempt and none accepted. */
  unaccepted(): PlannedSignUp[] {
    const tried = new Set(this.recorded.map((attempt) => attempt.signUp.correlationId));
    return [...this.planned.values()].filter((signUp) => tried.has(signUp.correlationId) && !this.acceptedIds.has(signUp.correlationId));
  }

  /** 503 answers that said nothing was saved, for sign-ups among `storedIds`: each one a false claim. */
  falseNothingSavedClaims(storedIds: readonly string[]): SignUpAttempt[] {
    const stored = new Set(storedIds);
    return this.recorded.filter((attempt) => attempt.status === 503 && attempt.saidNothingSaved === true
      && stored.has(attempt.signUp.correlationId));
  }

  /** How many attempts got each status, e.g. `{ 202: 4990, 503: 10 }`. */
  statusCounts(): Record<number, number> {
    const counts: Record<number, number> = {};
    for (const { status } of this.recorded) counts[status] = (counts[status] ?? 0) + 1;
    return counts;
  }

  /** Attempts whose status is not one of `allowed`. */
  unexpectedAttempts(allowed: readonly number[]): SignUpAttempt[] {
    return this.recorded.filter((attempt) => !allowed.includes(attempt.status));
  }

  /** The slowest attempt with this status, or undefined when none. */
  slowest(status: number): SignUpAttempt | undefined {
    let slowest: SignUpAttempt | undefined;
    for (const attempt of this.recorded) {
      if (attempt.status === status && (slowest === undefined || attempt.latencyMs > slowest.latencyMs)) slowest = attempt;
    }
    return slowest;
  }
}
