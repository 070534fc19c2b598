import { context, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';
import { SIGNUP_TRACER_NAME } from './start-tracing.js';

/** The `error.type` of a failed span: the error's code (`QUEUE_UNAVAILABLE`), else its name. */
export function errorType(error: unknown): string {
  if (error instanceof Error) {
    const code: unknown = (error as { code?: unknown }).code;
    return typeof code === 'string' && code !== '' ? code : error.name;
  }
  return '_OTHER';
}

/**
 * Runs `run` inside an INTERNAL (or `kind`) span named `name`, child of the active span,
 * when there is a recording active span; otherwise just runs it. With tracing off there is
 * never an active span, so this costs one context lookup and creates nothing. A rejection
 * marks the span failed (status ERROR, `error.type` the error's code or name) and is
 * rethrown unchanged. Used for the steps of a traced request or batch: validation, the SQL
 * statement, the Elasticsearch bulk call (see docs/observability.md). `attributes` may be a
 * function, called only when the span is made.
 */
export function inChildSpan<T>(name: string, attributes: Attributes | (() => Attributes), run: () => Promise<T>, kind: SpanKind = SpanKind.INTERNAL): Promise<T> {
  const parent = trace.getActiveSpan();
  if (parent === undefined || !parent.isRecording()) return run();
  const span = trace.getTracer(SIGNUP_TRACER_NAME).startSpan(name, { kind, attributes: typeof attributes === 'function' ? attributes() : attributes });
  return context.with(trace.setSpan(context.active(), span), run).then((result) => {
    span.end();
    return result;
  }, (error: unknown) => {
    span.setAttribute('error.type', errorType(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
    throw error;
  });
}
