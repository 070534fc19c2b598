import type { Middleware } from 'koa';
import { recordRoute } from './request-route.js';

/** A route answered by `exactRoutes` when the request names it exactly. */
export interface ExactRoute {
  readonly method: string;
  readonly path: string;
  readonly handler: Middleware;
}

/**
 * A shortcut in front of the router for the busiest routes (docs/benchmarks.md,
 * "What the profiles changed"): a request whose method and path are exactly those
 * of one of `routes` goes straight to its handler, with the route recorded
 * (`recordRoute`; `matchedRoute` reads it for the metrics and the request span).
 * The router matches each request against every route and builds a middleware
 * chain for it, which costs a sign-up more than its validation.
 * Anything else (another case, a trailing slash, HEAD, another method) goes on to
 * the router, where the same routes are registered too, so answers do not change.
 *
 * @throws Error at build time when two routes have the same method and path.
 */
export function exactRoutes(routes: readonly ExactRoute[]): Middleware {
  const byPath = new Map<string, Map<string, ExactRoute>>();
  for (const route of routes) {
    const methods = byPath.get(route.path) ?? new Map<string, ExactRoute>();
    if (methods.has(route.method)) throw new Error(`Two exact routes for ${route.method} ${route.path}.`);
    methods.set(route.method, route);
    byPath.set(route.path, methods);
  }
  return (ctx, next) => {
    const route = byPath.get(ctx.path)?.get(ctx.method);
    if (route === undefined) return next();
    recordRoute(ctx, route.path);
    return route.handler(ctx, next) as unknown;
  };
}
