import type { Middleware } from 'koa';
import type { WebMetrics } from './web-metrics.js';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/**
 * Records every request in `WebMetrics` once it is answered, labelled by the
 * matched route pattern (`unmatched` when no route matched) so label values stay
 * bounded whatever paths clients send. Must run outside the error middleware.
 */
export function requestMetrics(metrics: WebMetrics): Middleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
      const route = typeof matched === 'string' ? matched : 'unmatched';
      const method = KNOWN_METHODS.has(ctx.method) ? ctx.method : 'OTHER';
      metrics.observeRequest(method, route, ctx.status, seconds);
    }
  };
}
