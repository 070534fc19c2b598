import Koa from 'koa';
import Router from '@koa/router';
import { requireBasicAuth } from './basic-auth.js';
import { errorMiddleware } from './error-middleware.js';
import { exactRoutes } from './exact-routes.js';
import { DEFAULT_BODY_LIMIT_BYTES } from './request-body.js';
import { requestMetrics } from './request-metrics.js';
import { requestTracing } from './request-tracing.js';
import { ANALYTICS_PATHS, registerAnalyticsRoutes } from './routes/analytics-routes.js';
import { registerApiRoutes } from './routes/api-routes.js';
import { registerOperationsRoutes } from './routes/operations-routes.js';
import { registerPageRoutes } from './routes/page-routes.js';
import { securityHeaders } from './security-headers.js';
import { loadStaticAssets, registerStaticAssets } from './static-assets.js';
import type { WebAppDependencies } from './web-app-dependencies.js';

const DEFAULT_READINESS_TIMEOUT_MS = 2000;
const CLIENT_GONE = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_PREMATURE_CLOSE']);

/**
 * Builds the web app (the routes of README.md, and the analytics of docs/analytics.md
 * when `deps.analytics` is given; without it their paths answer 404) without listening: the composition
 * root calls `listen`, tests drive `app.callback()`. Reads the static assets
 * once, here; no other I/O until a request arrives.
 */
export function createApp(deps: WebAppDependencies): Koa {
  const bodyLimit = deps.options?.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const readinessTimeoutMs = deps.options?.readinessTimeoutMs ?? DEFAULT_READINESS_TIMEOUT_MS;

  const app = new Koa();
  // Every error is answered and logged by errorMiddleware; Koa's own stderr report would log it twice.
  app.silent = true;
  app.on('error', (error: unknown) => {
    // A client that closes the connection during a streamed answer (a cancelled download) is not a server fault.
    if (CLIENT_GONE.has((error as { code?: unknown } | null)?.code as string)) {
      deps.logger.debug('The client closed the connection before the answer was complete', { error });
      return;
    }
    deps.logger.error('HTTP server error', { error });
  });

  const router = new Router();
  const busiest = [...registerPageRoutes(router, deps, bodyLimit), ...registerApiRoutes(router, deps, bodyLimit)];
  registerOperationsRoutes(router, deps, readinessTimeoutMs);
  if (deps.analytics !== undefined) registerAnalyticsRoutes(router, deps, deps.analytics);
  registerStaticAssets(router, loadStaticAssets());

  if (deps.options?.tracer !== undefined) app.use(requestTracing(deps.options.tracer));
  app.use(requestMetrics(deps.metrics));
  app.use(securityHeaders());
  app.use(errorMiddleware(deps.logger, (cause) => deps.metrics.countUnavailable(cause)));
  if (deps.analytics !== undefined) app.use(requireBasicAuth(deps.analytics.credentials, ANALYTICS_PATHS, { logger: deps.logger }));
  app.use(exactRoutes(busiest));
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
