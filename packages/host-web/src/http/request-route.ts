import type { Context } from 'koa';

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The route pattern the router matched (`/app/SignUp`), or undefined: never the raw path, so values stay bounded. */
export function matchedRoute(ctx: Context): string | undefined {
  const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  return typeof matched === 'string' ? matched : undefined;
}

/** The request method when it is a standard one, else `other`: clients cannot invent label values. */
export function knownMethod(ctx: Context, other: string): string {
  return KNOWN_METHODS.has(ctx.method) ? ctx.method : other;
}
