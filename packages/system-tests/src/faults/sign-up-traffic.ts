import { prospectFields } from '../sign-ups.js';
import { waitUntil } from '@signup/test-support/wait-until';
import { type PlannedSignUp, type SignUpChannel, type SignUpLedger } from './sign-up-ledger.js';

/** A burst of sign-ups: how many, how fast, through which channel. */
export interface SignUpBurstOptions {
  readonly count: number;
  /** Index of the first sign-up; each sign-up's names and email address derive from its index. Default 0. */
  readonly firstIndex?: number;
  /** Requests in flight at once. Default 50. */
  readonly concurrency?: number;
  /** Every n-th sign-up posts the HTML form instead of the JSON API; 0 (default) never. */
  readonly formEvery?: number;
  /** Upper bound on sign-ups started per second; unbounded when absent. */
  readonly ratePerSecond?: number;
}

/** How `retryUnaccepted` retries. */
export interface RetryOptions {
  /** Give up (throw) when some sign-up is still not accepted after this long. Default 60 s. */
  readonly timeoutMs?: number;
  /** Pause between rounds. Default 500 ms. */
  readonly intervalMs?: number;
  readonly concurrency?: number;
}

const DEFAULT_CONCURRENCY = 50;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/**
 * A client of one `signup-web` on loopback that makes sign-ups and records each
 * attempt in a `SignUpLedger`. API sign-ups carry an `Idempotency-Key`, form posts
 * a `submissionId`, both fixed per sign-up, so a retry of a sign-up answered 503 is
 * the same sign-up, as a real client's retry would be. Requests never follow
 * redirects and give up after `requestTimeoutMs` (recorded as status 0).
 */
export class SignUpTraffic {
  private nextIndex = 0;

  constructor(
    readonly baseUrl: string,
    readonly ledger: SignUpLedger,
    private readonly requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
  ) {}

  /** Makes one new sign-up (one attempt) and resolves with its status. */
  async signUp(index: number, channel: SignUpChannel = 'api'): Promise<number> {
    this.nextIndex = Math.max(this.nextIndex, index + 1);
    return this.attempt(this.ledger.plan(index, channel));
  }

  /**
   * Sends `count` new sign-ups with at most `concurrency` in flight, one attempt
   * each, and resolves when every one has its answer. Never throws for an answer:
   * statuses are in the ledger.
   */
  async burst(options: SignUpBurstOptions): Promise<void> {
    const first = options.firstIndex ?? this.nextIndex;
    this.nextIndex = Math.max(this.nextIndex, first + options.count);
    const formEvery = options.formEvery ?? 0;
    const planned = Array.from({ length: options.count }, (_, i) =>
      this.ledger.plan(first + i, formEvery > 0 && (i + 1) % formEvery === 0 ? 'form' : 'api'));
    const startedAt = performance.now();
    const spacingMs = options.ratePerSecond === undefined ? 0 : 1000 / options.ratePerSecond;
    await this.forEachBounded(planned, options.concurrency ?? DEFAULT_CONCURRENCY, async (signUp, position) => {
      const due = startedAt + position * spacingMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      await this.attempt(signUp);
    });
  }

  /**
   * Retries every sign-up of the ledger not accepted yet, with its own correlation
   * id, round after round, until all are accepted.
   *
   * @throws Error listing how many remain when the deadline passes.
   */
  async retryUnaccepted(options: RetryOptions = {}): Promise<void> {
    const { timeoutMs = 60_000, intervalMs = 500, concurrency = DEFAULT_CONCURRENCY } = options;
    await waitUntil(async () => {
      const pending = this.ledger.unaccepted();
      if (pending.length === 0) return true;
      await this.forEachBounded(pending, concurrency, (signUp) => this.attempt(signUp));
      return this.ledger.unaccepted().length === 0;
    }, { timeoutMs, intervalMs, description: 'every sign-up answered 503 to be accepted on retry' });
  }

  private async attempt(signUp: PlannedSignUp): Promise<number> {
    const startedAt = performance.now();
    let status = 0;
    let error: string | undefined;
    let saidNothingSaved: boolean | undefined;
    try {
      const response = await fetch(...this.request(signUp));
      const body = await response.text();
      status = response.status;
      if (status === 503) saidNothingSaved = /nothing was saved/i.test(body);
    } catch (caught) {
      error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
    }
    const latencyMs = performance.now() - startedAt;
    this.ledger.record({
      signUp, status, latencyMs, startedAt,
      ...(error === undefined ? {} : { error }),
      ...(saidNothingSaved === undefined ? {} : { saidNothingSaved }),
    });
    return status;
  }

  private request(signUp: PlannedSignUp): [string, RequestInit] {
    const fields = prospectFields(signUp.index);
    const signal = AbortSignal.timeout(this.requestTimeoutMs);
    if (signUp.channel === 'form') {
      return [`${this.baseUrl}/app/SignUp`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ ...fields, submissionId: signUp.correlationId }).toString(),
        redirect: 'manual',
        signal,
      }];
    }
    return [`${this.baseUrl}/api/prospects`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': signUp.correlationId },
      body: JSON.stringify(fields),
      signal,
    }];
  }

  private async forEachBounded<T>(items: readonly T[], concurrency: number, action: (item: T, position: number) => Promise<unknown>): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < items.length) {
        const position = next;
        next += 1;
        await action(items[position]!, position);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  }
}
