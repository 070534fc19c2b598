import type { Context } from 'koa';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

// Our own key in Koa's `ctx.state`: a route answered before the router ran is recorded here.
const ROUTE = Symbol('signup.route');

/** Records the route pattern of a request answered without the router (`exactRoutes`). */
export function recordRoute(ctx: Context, route: string): void {
  (ctx.state as Record<symbol, unknown>)[ROUTE] = route;
}

/**
 * The route pattern that answered (`/app/SignUp`), or undefined: the one `recordRoute`
 * recorded, else the router's `ctx.routerPath` (`@koa/router`'s documented context
 * property). Never the raw path, so values stay bounded.
 */
export function matchedRoute(ctx: Context): string | undefined {
  const matched = (ctx.state as Record<symbol, unknown>)[ROUTE] ?? (ctx as { routerPath?: unknown }).routerPath;
  return typeof matched === 'string' ? matched : undefined;
}

/** The request method when it is a standard one, else `other`: clients cannot invent label values. */
export function knownMethod(ctx: Context, other: string): string {
  return KNOWN_METHODS.has(ctx.method) ? ctx.method : other;
}
