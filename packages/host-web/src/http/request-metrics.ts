import type { Middleware } from 'koa';
import { knownMethod, matchedRoute } from './request-route.js';
import type { WebMetrics } from './web-metrics.js';

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
      metrics.observeRequest(knownMethod(ctx, 'OTHER'), matchedRoute(ctx) ?? 'unmatched', ctx.status, seconds);
    }
  };
}
