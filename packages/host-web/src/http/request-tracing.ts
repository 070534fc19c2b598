import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Tracer } from '@opentelemetry/api';
import type { Middleware } from 'koa';
import { knownMethod, matchedRoute } from './request-route.js';

/**
 * Makes the HTTP server span of each request, following the OpenTelemetry HTTP conventions:
 * named `<method> <route template>` (`POST /api/prospects`; just the method when no route
 * matched), with `http.request.method`, `http.route`, `url.path` (never the query) and
 * `http.response.status_code`; a 5xx marks the span failed. A `traceparent` sent by the
 * client becomes the parent. The span is active while the request is handled, so the
 * publish span of a sign-up is its child. Must run outside the error middleware, to see the
 * final status. Added by `createApp` only when a tracer is given (see docs/observability.md).
 */
export function requestTracing(tracer: Tracer): Middleware {
  return async (ctx, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, ctx.headers);
    const method = knownMethod(ctx, '_OTHER');
    const span = tracer.startSpan(method, {
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': method, 'url.path': ctx.path, 'url.scheme': ctx.protocol },
    }, parent);
    try {
      await context.with(trace.setSpan(parent, span), next);
    } finally {
      const route = matchedRoute(ctx);
      if (route !== undefined) {
        span.setAttribute('http.route', route);
        span.updateName(`${method} ${route}`);
      }
      span.setAttribute('http.response.status_code', ctx.status);
      if (ctx.status >= 500) {
        span.setAttribute('error.type', String(ctx.status));
        span.setStatus({ code: SpanStatusCode.ERROR });
      }
      span.end();
    }
  };
}
