import { checkHealth, type IHealthCheck } from '@signup/domain';
import { maskSecrets } from '@signup/adapters/logging';

/** How the handler is: overall readiness, one entry per check (`ok` or `unavailable`), and why each failing one failed. */
export interface ReadinessReport {
  readonly ready: boolean;
  readonly status: 'starting' | 'ready' | 'not ready' | 'stopping';
  readonly checks: Readonly<Record<string, 'ok' | 'unavailable'>>;
  /**
   * Why each failing check failed, credentials and email addresses masked. Internal
   * detail (hosts, addresses, user names): for the log, never for `/health/ready`.
   */
  readonly failures: Readonly<Record<string, string>>;
}

const DEFAULT_TIMEOUT_MS = 3000;

/**
 * Readiness of a handler host: not ready while starting (until `markRunning`)
 * and once stopping, otherwise ready when every registered check passes within
 * the timeout. Check failures are reported as `unavailable`, their messages
 * apart in `failures`, with credentials and email addresses masked.
 */
export class Readiness {
  private readonly checks: IHealthCheck[] = [];
  private state: 'starting' | 'running' | 'stopping' = 'starting';

  constructor(private readonly timeoutMs = DEFAULT_TIMEOUT_MS) {}

  add(check: IHealthCheck): void {
    this.checks.push(check);
  }

  markRunning(): void {
    if (this.state === 'starting') this.state = 'running';
  }

  markStopping(): void {
    this.state = 'stopping';
  }

  async report(): Promise<ReadinessReport> {
    const results = await checkHealth(this.checks, this.timeoutMs);
    const checks = Object.fromEntries(results.map(({ name, reason }) => [name, reason === undefined ? 'ok' : 'unavailable'] as const));
    const failures = Object.fromEntries(results.flatMap(({ name, reason }) => (reason === undefined ? [] : [[name, maskSecrets(reason)]])));
    if (this.state !== 'running') return { ready: false, status: this.state, checks, failures };
    const ready = results.every((result) => result.reason === undefined);
    return { ready, status: ready ? 'ready' : 'not ready', checks, failures };
  }
}
