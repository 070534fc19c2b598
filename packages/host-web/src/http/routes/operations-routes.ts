import type Router from '@koa/router';
import type { IHealthCheck } from '@signup/domain';
import type { WebAppDependencies } from '../web-app-dependencies.js';

const MAX_REASON_LENGTH = 300;

function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  return line.length > MAX_REASON_LENGTH ? `${line.slice(0, MAX_REASON_LENGTH)}…` : line;
}

async function runCheck(check: IHealthCheck, timeoutMs: number): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return undefined;
  } catch (error) {
    return reasonOf(error);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Liveness (answers while the process serves), readiness (every health check,
 * each with a timeout; 503 naming the failing ones) and Prometheus metrics.
 */
export function registerOperationsRoutes(router: Router, deps: WebAppDependencies, readinessTimeoutMs: number): void {
  router.get('/health/live', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'live' };
  });

  router.get('/health/ready', async (ctx) => {
    const results = await Promise.all(deps.healthChecks.map(async (check) => [check.name, await runCheck(check, readinessTimeoutMs)] as const));
    const checks = Object.fromEntries(results.map(([name, reason]) => [name, reason ?? 'ok']));
    const ready = results.every(([, reason]) => reason === undefined);
    ctx.set('Cache-Control', 'no-store');
    if (!ready) deps.logger.debug('Not ready', { checks });
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not ready', checks };
  });

  router.get('/metrics', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.type = deps.metrics.contentType;
    ctx.body = await deps.metrics.render();
  });
}
