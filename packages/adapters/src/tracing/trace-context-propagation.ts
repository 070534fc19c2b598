import { context, propagation, ROOT_CONTEXT, trace, type Context, type TextMapGetter, type TextMapSetter } from '@opentelemetry/api';
import { headers as createHeaders, Match, type MsgHdrs } from 'nats';

/** A plain string map carrying trace context, for the in-process bus. */
export type TraceContextRecord = Record<string, string>;

const natsHeaderSetter: TextMapSetter<MsgHdrs> = {
  set(carrier, key, value) {
    carrier.set(key, value);
  },
};

const natsHeaderGetter: TextMapGetter<MsgHdrs | undefined> = {
  keys: (carrier) => (carrier === undefined ? [] : carrier.keys()),
  // MsgHdrs answers '' for a missing header, the propagator wants undefined; other clients may capitalise names.
  get: (carrier, key) => (carrier?.has(key, Match.IgnoreCase) === true ? carrier.get(key, Match.IgnoreCase) : undefined),
};

const recordSetter: TextMapSetter<TraceContextRecord> = {
  set(carrier, key, value) {
    carrier[key] = value;
  },
};

const recordGetter: TextMapGetter<Readonly<TraceContextRecord> | undefined> = {
  keys: (carrier) => (carrier === undefined ? [] : Object.keys(carrier)),
  get: (carrier, key) => (carrier !== undefined && Object.hasOwn(carrier, key) ? carrier[key] : undefined),
};

/**
 * Writes the trace context of `from` (the active context by default) into NATS message
 * headers as W3C `traceparent`/`tracestate`. Writes nothing when tracing is off or no span
 * is active. Returns whether anything was written.
 */
export function injectTraceContext(headers: MsgHdrs, from: Context = context.active()): boolean {
  // Tracing off (or no span): nothing to write, and the cheapest way to find out.
  if (trace.getSpanContext(from) === undefined) return false;
  const before = headers.keys().length;
  propagation.inject(from, headers, natsHeaderSetter);
  return headers.keys().length > before;
}

/**
 * NATS headers holding only the trace context of `from`, or undefined when there is none to
 * send (tracing off, no active span): a publisher that sends no other header then sends none.
 */
export function traceContextHeaders(from: Context = context.active()): MsgHdrs | undefined {
  if (trace.getSpanContext(from) === undefined) return undefined;
  const headers = createHeaders();
  return injectTraceContext(headers, from) ? headers : undefined;
}

/**
 * The remote parent carried by a message's headers, as a context to start the receiving
 * span in. A message without headers (a legacy publisher) or without a valid `traceparent`
 * yields the root context, so its spans start a trace of their own; the caller's active
 * context is never used as the parent.
 */
export function extractTraceContext(headers: MsgHdrs | undefined): Context {
  if (headers === undefined) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, headers, natsHeaderGetter);
}

/** The trace context of `from` (the active context by default) as a plain record: empty when there is none. */
export function traceContextRecord(from: Context = context.active()): TraceContextRecord {
  const carrier: TraceContextRecord = {};
  propagation.inject(from, carrier, recordSetter);
  return carrier;
}

/** The remote parent carried by a record from `traceContextRecord`; the root context when none. */
export function extractTraceContextFromRecord(carrier: Readonly<TraceContextRecord> | undefined): Context {
  if (carrier === undefined) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, carrier, recordGetter);
}
