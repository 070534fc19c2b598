import type Router from '@koa/router';
import { checkHealth } from '@signup/domain';
import type { WebAppDependencies } from '../web-app-dependencies.js';

/**
 * Liveness (answers while the process serves), readiness (every health check,
 * each with a timeout; 503 naming the failing ones as `unavailable` — the reasons
 * are internal detail, so they go to the log, once each time they change) and
 * Prometheus metrics. A failing check that is not critical (the outbox relay waiting for
 * the message queue) is reported with its reason and logged, but leaves the host ready.
 */
export function registerOperationsRoutes(router: Router, deps: WebAppDependencies, readinessTimeoutMs: number): void {
  router.get('/health/live', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { status: 'live' };
  });

  let lastFailures = '';
  router.get('/health/ready', async (ctx) => {
    const results = await checkHealth(deps.healthChecks, readinessTimeoutMs);
    const failed = results.filter((result) => result.reason !== undefined && result.critical !== false);
    const degraded = results.filter((result) => result.reason !== undefined && result.critical === false);
    const failures = [...failed, ...degraded].map((result) => `${result.name}: ${result.reason}`).join('; ');
    if (failures !== lastFailures) {
      if (failures === '') deps.logger.info('Ready again');
      else deps.logger.warn(`${failed.length === 0 ? 'Ready, but' : 'Not ready:'} ${failures}`);
      lastFailures = failures;
    }
    ctx.set('Cache-Control', 'no-store');
    ctx.status = failed.length === 0 ? 200 : 503;
    ctx.body = {
      status: failed.length === 0 ? 'ready' : 'not ready',
      checks: Object.fromEntries(results.map((result) => [
        result.name, result.reason === undefined ? 'ok' : (result.critical === false ? result.reason : 'unavailable'),
      ])),
    };
  });

  router.get('/metrics', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    ctx.type = deps.metrics.contentType;
    ctx.body = await deps.metrics.render();
  });
}
