import type { Context, Middleware } from 'koa';
import { AnalyticsQueryInvalidError, DependencyUnavailableError, isTransientError, ProspectInvalidError, type ILogger } from '@signup/domain';
import { renderErrorPage } from './views/error-page.js';

/** Seconds a client is asked to wait before retrying a sign-up that could not be accepted. */
export const RETRY_AFTER_SECONDS = 5;

const TRANSIENT_CODES = new Set(['DATABASE_UNAVAILABLE', 'QUEUE_UNAVAILABLE']);

const TITLES: Readonly<Record<number, string>> = {
  400: 'Please check your request',
  401: 'Please sign in',
  404: 'Page not found',
  405: 'Method not allowed',
  413: 'Too much data',
  415: 'Unsupported content type',
  429: 'Please wait a moment',
  500: 'Something went wrong',
  501: 'Not supported',
  503: 'Please try again in a moment',
};

const DEFAULT_MESSAGES: Readonly<Record<number, string>> = {
  404: 'We could not find the page you asked for.',
  405: 'This address does not accept that kind of request.',
  500: 'Something went wrong on our side and your request was not completed. Please try again later.',
  501: 'This server does not support that kind of request.',
};

const UNAVAILABLE_MESSAGE = 'We could not save your details just now, so nothing was saved. Please try again in a few seconds.';
const READ_UNAVAILABLE_MESSAGE = 'The analytics cannot be read just now. Please try again in a few seconds.';
const UNCONFIRMED_MESSAGE = 'We could not confirm that your details were saved. Please try again in a few seconds: '
  + 'sending the same form again will not sign you up twice.';

interface ErrorAnswer {
  readonly status: number;
  readonly message: string;
  readonly errors?: Readonly<Record<string, string>>;
  readonly retryAfter?: boolean;
}

interface HttpErrorShape {
  readonly status: number;
  readonly expose?: boolean;
  readonly message: string;
  readonly errors?: unknown;
}

function isHttpError(error: unknown): error is HttpErrorShape {
  return error instanceof Error && typeof (error as { status?: unknown }).status === 'number';
}

function isUnavailable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return isTransientError(error) || (typeof code === 'string' && TRANSIENT_CODES.has(code));
}

function isStringRecord(value: unknown): value is Readonly<Record<string, string>> {
  return typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string');
}

function wantsJson(ctx: Context): boolean {
  const path = ctx.path.toLowerCase();
  if (path.startsWith('/api/') || path === '/api' || path.startsWith('/health') || path === '/metrics') return true;
  return ctx.accepts('html', 'json') === 'json';
}

function isAnalytics(ctx: Context): boolean {
  const path = ctx.path.toLowerCase();
  return path.startsWith('/app/analytics') || path.startsWith('/api/analytics');
}

function messageFor(status: number): string {
  return DEFAULT_MESSAGES[status] ?? (status >= 500 ? DEFAULT_MESSAGES[500] ?? '' : 'The request could not be processed.');
}

function respond(ctx: Context, answer: ErrorAnswer): void {
  ctx.status = answer.status;
  ctx.set('Cache-Control', 'no-store');
  if (answer.retryAfter === true) ctx.set('Retry-After', String(RETRY_AFTER_SECONDS));
  if (wantsJson(ctx)) {
    ctx.body = answer.errors === undefined ? { message: answer.message } : { errors: answer.errors };
    return;
  }
  const link = isAnalytics(ctx) && (answer.status === 400 || answer.status === 503) ? { href: '/app/Analytics', label: 'Back to the analytics' }
    : answer.status === 503 || answer.status === 413 || answer.status === 415 ? { href: '/app/SignUp', label: 'Back to the form' }
      : undefined;
  ctx.type = 'html';
  ctx.body = renderErrorPage({
    title: TITLES[answer.status] ?? (answer.status >= 500 ? 'Something went wrong' : 'Please check your request'),
    message: answer.errors === undefined ? answer.message : `${answer.message} ${Object.values(answer.errors).join(' ')}`,
    ...(link === undefined ? {} : { link }),
  });
}

/**
 * What was away when a request got a 503: the error code without `_UNAVAILABLE`, in lower
 * case (`QUEUE_UNAVAILABLE` → `queue`, `DATABASE_UNAVAILABLE` → `database`), `other` when
 * the error has no such code. The `cause` label of `signup_unavailable_responses_total`.
 */
export function unavailableCause(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.endsWith('_UNAVAILABLE') ? code.slice(0, -'_UNAVAILABLE'.length).toLowerCase() : 'other';
}

function classify(ctx: Context, error: unknown, logger: ILogger, onUnavailable: ((cause: string) => void) | undefined): ErrorAnswer {
  if (error instanceof ProspectInvalidError) {
    return { status: 400, message: 'Some fields are not valid.', errors: error.errors };
  }
  if (error instanceof AnalyticsQueryInvalidError) {
    return { status: 400, message: 'Some filters are not valid.', errors: error.errors };
  }
  if (isUnavailable(error)) {
    logger.warn(`Could not complete ${ctx.method} ${ctx.path}: a dependency is unavailable`, { error });
    onUnavailable?.(unavailableCause(error));
    if (isAnalytics(ctx)) return { status: 503, message: READ_UNAVAILABLE_MESSAGE, retryAfter: true };
    const unconfirmed = error instanceof DependencyUnavailableError && error.outcomeUnknown;
    return { status: 503, message: unconfirmed ? UNCONFIRMED_MESSAGE : UNAVAILABLE_MESSAGE, retryAfter: true };
  }
  // Only errors raised on purpose for the client (`ctx.throw`, the body readers) say `expose: true`; any other
  // error with a `status` comes from a dependency, and its status and message are not the client's business.
  if (isHttpError(error) && error.expose === true && error.status >= 400 && error.status < 500) {
    const { status, message } = error;
    return isStringRecord(error.errors) ? { status, message, errors: error.errors } : { status, message };
  }
  logger.error(`Unhandled error answering ${ctx.method} ${ctx.path}`, { error });
  return { status: 500, message: messageFor(500) };
}

/**
 * The one place errors become answers. Invalid input (a prospect, analytics filters)
 * → 400 with the field errors; a database or queue outage (or any transient SignUpError) → 503 with
 * `Retry-After`, saying nothing was saved (or, when the event or the row may have been
 * stored and only the confirmation was lost, that it could not be confirmed and a retry
 * will not sign up twice; for the analytics, that they cannot be read just now); client errors raised with `ctx.throw`
 * (404, 413, 415, …) → that status and its short message; anything else → 500
 * with a generic text, the detail logged once. An error answer left without a
 * body by the router (404, 405, 501) gets one too. JSON for `/api`, `/health`,
 * `/metrics` or a client that prefers it; an HTML page otherwise. Never a stack
 * trace or internal message to the client. `onUnavailable` is told the cause of each 503.
 */
export function errorMiddleware(logger: ILogger, onUnavailable?: (cause: string) => void): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status >= 400 && ctx.body == null) {
        respond(ctx, { status: ctx.status, message: messageFor(ctx.status) });
      }
    } catch (error) {
      respond(ctx, classify(ctx, error, logger, onUnavailable));
    }
  };
}
