import type { IHealthCheck } from '../ports/health-check.js';

/** The result of one health check: `reason` is set when it failed or did not answer in time. */
export interface HealthCheckResult {
  readonly name: string;
  readonly reason?: string;
  /** Set (false) when the check is not critical: its failure does not make the host unready. */
  readonly critical?: false;
}

/**
 * Runs every check at once, each bounded by `timeoutMs`, and reports which failed
 * and why (the first line of the error message). Never rejects.
 */
export async function checkHealth(checks: readonly IHealthCheck[], timeoutMs: number): Promise<HealthCheckResult[]> {
  return Promise.all(checks.map(async (check): Promise<HealthCheckResult> => {
    const critical = check.critical === false ? { critical: false as const } : {};
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`did not answer within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([check.check(), timeout]);
      return { name: check.name, ...critical };
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      return { name: check.name, reason: text.split(/\r?\n/, 1)[0] ?? '', ...critical };
    } finally {
      clearTimeout(timer);
    }
  }));
}
