/**
 * Asks a host's `/health/ready` how it is, once or repeatedly. Every probe has its
 * own timeout; a probe that gets no answer counts as status 0.
 */
export class ReadinessProbe {
  constructor(private readonly url: string, private readonly timeoutMs = 5000) {}

  /** The status `/health/ready` answers now (200 ready, 503 not ready), or 0 when it does not answer. */
  async status(): Promise<number> {
    try {
      const response = await fetch(this.url, { signal: AbortSignal.timeout(this.timeoutMs) });
      await response.arrayBuffer();
      return response.status;
    } catch {
      return 0;
    }
  }

  /** Probes every `intervalMs` for `durationMs` and resolves with the statuses, in order. */
  async poll(durationMs: number, intervalMs: number): Promise<number[]> {
    const statuses: number[] = [];
    const end = performance.now() + durationMs;
    while (performance.now() < end) {
      const started = performance.now();
      statuses.push(await this.status());
      const rest = Math.min(intervalMs - (performance.now() - started), end - performance.now());
      if (rest > 0) await new Promise((resolve) => setTimeout(resolve, rest));
    }
    return statuses;
  }
}
