import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { AnalyticsCredentials } from './web-app-dependencies.js';

/** What the browser shows when it asks for the analytics credentials. */
export const ANALYTICS_REALM = 'SignUp analytics';

const SIGN_IN_MESSAGE = 'Sign in with the analytics user name and password to see this page.';
const BASIC = /^Basic[ \t]+([A-Za-z0-9+/]+={0,2})[ \t]*$/i;

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** The user name and password an `Authorization: Basic …` header carries, or undefined when it is missing or malformed. */
function credentialsOf(header: string): AnalyticsCredentials | undefined {
  const token = BASIC.exec(header)?.[1];
  if (token === undefined || token.length % 4 !== 0) return undefined;
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(token, 'base64'));
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/**
 * Guards every request whose path starts with one of `prefixes` (compared without case,
 * after decoding, as the router matches them) with HTTP Basic. User name and password
 * are compared as SHA-256 digests with `timingSafeEqual`, both always, so neither the
 * time taken nor the lengths tell how close a guess was. A missing, malformed or wrong
 * `Authorization` header answers 401 with `WWW-Authenticate: Basic realm="SignUp
 * analytics"` (through the error middleware), before any route, whatever the method.
 */
export function requireBasicAuth(expected: AnalyticsCredentials, prefixes: readonly string[]): Middleware {
  const username = digest(expected.username);
  const password = digest(expected.password);
  const guarded = prefixes.map((prefix) => prefix.toLowerCase());
  const isGuarded = (ctx: Context): boolean => {
    let path = ctx.path;
    try {
      path = decodeURIComponent(path);
    } catch {
      // A malformed escape is matched as written; the router cannot decode it either.
    }
    const lower = path.toLowerCase();
    return guarded.some((prefix) => lower === prefix || lower.startsWith(`${prefix}/`));
  };
  return async (ctx, next) => {
    if (!isGuarded(ctx)) {
      await next();
      return;
    }
    const given = credentialsOf(ctx.get('Authorization'));
    const sameUser = timingSafeEqual(digest(given?.username ?? ''), username);
    const samePassword = timingSafeEqual(digest(given?.password ?? ''), password);
    if (given === undefined || !(sameUser && samePassword)) {
      ctx.set('WWW-Authenticate', `Basic realm="${ANALYTICS_REALM}"`);
      ctx.set('Cache-Control', 'no-store');
      ctx.throw(401, SIGN_IN_MESSAGE);
    }
    ctx.set('Cache-Control', 'no-store');
    await next();
  };
}
