import type { Middleware } from 'koa';

/**
 * The Content-Security-Policy of every answer: only this origin's styles and
 * images (plus `data:` images, which Bootstrap's CSS uses for its icons), no
 * scripts at all, no framing, forms post only back here.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'none'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: readonly (readonly [string, string])[] = Object.entries({
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'same-origin',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
});

/** Sets the security headers on every answer, before anything else runs, so error answers carry them too. */
export function securityHeaders(): Middleware {
  return (ctx, next) => {
    // Straight onto the response: Koa's `ctx.set` would build entry arrays for every request.
    const { res } = ctx;
    for (const [name, value] of SECURITY_HEADERS) res.setHeader(name, value);
    return next();
  };
}
