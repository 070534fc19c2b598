/** Options of a `SignInThrottle`. */
export interface SignInThrottleOptions {
  /** Failed sign-ins an address may make within the window; the next is refused. Default 10. */
  readonly maxFailures?: number;
  /** The window, from an address's first failure. Default one minute. */
  readonly windowMs?: number;
  /** Addresses tracked at most; past it, expired windows go first, then the oldest. Default 10,000. */
  readonly maxAddresses?: number;
  /** The clock, in milliseconds. */
  readonly now?: () => number;
}

interface Window {
  readonly startedAt: number;
  failures: number;
}

/**
 * Counts failed sign-ins per client address (docs/analytics.md, Access): after
 * `maxFailures` within `windowMs` of the first, the address is refused until that
 * window has passed. A success forgets the address. Memory is bounded by `maxAddresses`.
 */
export class SignInThrottle {
  readonly maxFailures: number;
  readonly windowMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;
  private readonly windows = new Map<string, Window>();

  constructor(options: SignInThrottleOptions = {}) {
    this.maxFailures = options.maxFailures ?? 10;
    this.windowMs = options.windowMs ?? 60_000;
    this.maxAddresses = options.maxAddresses ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds until `address` may try again; 0 when it may now. */
  retryAfterMs(address: string): number {
    const window = this.current(address);
    if (window === undefined || window.failures < this.maxFailures) return 0;
    return window.startedAt + this.windowMs - this.now();
  }

  /** Counts a failed sign-in from `address` and returns how many it has made in its window. */
  recordFailure(address: string): number {
    let window = this.current(address);
    if (window === undefined) {
      this.makeRoom();
      window = { startedAt: this.now(), failures: 0 };
      this.windows.set(address, window);
    }
    window.failures += 1;
    return window.failures;
  }

  /** Forgets the failures of `address`. */
  recordSuccess(address: string): void {
    this.windows.delete(address);
  }

  private current(address: string): Window | undefined {
    const window = this.windows.get(address);
    if (window !== undefined && this.now() - window.startedAt >= this.windowMs) {
      this.windows.delete(address);
      return undefined;
    }
    return window;
  }

  private makeRoom(): void {
    if (this.windows.size < this.maxAddresses) return;
    const now = this.now();
    for (const [address, window] of this.windows) {
      if (now - window.startedAt >= this.windowMs) this.windows.delete(address);
    }
    // Still full: the oldest windows go (a Map iterates in insertion order).
    for (const address of this.windows.keys()) {
      if (this.windows.size < this.maxAddresses) break;
      this.windows.delete(address);
    }
  }
}
