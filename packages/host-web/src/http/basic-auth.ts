import { createHash, timingSafeEqual } from 'node:crypto';
import type { ILogger } from '@signup/domain';
import type { Context, Middleware } from 'koa';
import { SignInThrottle } from './sign-in-throttle.js';
import type { AnalyticsCredentials } from './web-app-dependencies.js';

/** What the browser shows when it asks for the analytics credentials. */
export const ANALYTICS_REALM = 'SignUp analytics';

const SIGN_IN_MESSAGE = 'Sign in with the analytics user name and password to see this page.';
const THROTTLED_MESSAGE = 'Too many failed sign-ins from your address. Please wait a minute before you try again.';
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

/** A user name as logged: its first character, then `***` (`a***`). */
function maskedUserName(username: string): string {
  const [first] = username;
  return first === undefined ? '""' : `"${first}***"`;
}

/** What `requireBasicAuth` logs to and how it throttles. */
export interface BasicAuthOptions {
  /** Where each failed sign-in is logged, once. */
  readonly logger?: ILogger;
  /** Counts failures per client address; by default 10 within a minute. */
  readonly throttle?: SignInThrottle;
}

/**
 * Guards every request whose path starts with one of `prefixes` (compared without case,
 * after decoding, as the router matches them) with HTTP Basic. User name and password
 * are compared as SHA-256 digests with `timingSafeEqual`, both always, so neither the
 * time taken nor the lengths tell how close a guess was. A missing `Authorization`
 * header is a challenge: 401 with `WWW-Authenticate: Basic realm="SignUp analytics"`
 * (through the error middleware), before any route, whatever the method. A malformed
 * or wrong one is a failed sign-in: the same 401, logged once with the user name masked
 * and the client's address, and counted per address; after the throttle's limit
 * (10 within a minute) the address gets 429 with `Retry-After` until its window has
 * passed, whatever it sends. A success forgets the address's failures.
 */
export function requireBasicAuth(expected: AnalyticsCredentials, prefixes: readonly string[], options: BasicAuthOptions = {}): Middleware {
  const throttle = options.throttle ?? new SignInThrottle();
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
    const header = ctx.get('Authorization');
    ctx.set('Cache-Control', 'no-store');
    const address = ctx.ip;
    const waitMs = header === '' ? 0 : throttle.retryAfterMs(address);
    if (waitMs > 0) {
      ctx.set('Retry-After', String(Math.ceil(waitMs / 1000)));
      ctx.throw(429, THROTTLED_MESSAGE);
    }
    const given = credentialsOf(header);
    const sameUser = timingSafeEqual(digest(given?.username ?? ''), username);
    const samePassword = timingSafeEqual(digest(given?.password ?? ''), password);
    if (given === undefined || !(sameUser && samePassword)) {
      if (header !== '') {
        const failures = throttle.recordFailure(address);
        const refused = failures >= throttle.maxFailures ? `; further attempts from it are answered 429 until ${throttle.windowMs / 1000} s after its first failure` : '';
        options.logger?.warn(`Analytics sign-in failed for the user ${given === undefined ? '(unreadable)' : maskedUserName(given.username)} `
          + `from ${address} (${failures} of ${throttle.maxFailures} failures allowed within ${throttle.windowMs / 1000} s${refused})`);
      }
      ctx.set('WWW-Authenticate', `Basic realm="${ANALYTICS_REALM}"`);
      ctx.throw(401, SIGN_IN_MESSAGE);
    }
    throttle.recordSuccess(address);
    await next();
  };
}
