import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { expect } from 'chai';
import { after, afterEach, before, describe, it } from 'mocha';
import { headers } from 'nats';
import {
  extractTraceContext,
  extractTraceContextFromRecord,
  injectTraceContext,
  traceContextHeaders,
  traceContextRecord,
} from '../../../src/tracing/trace-context-propagation.js';
import { startInMemoryTracing, type InMemoryTracing } from './in-memory-tracing.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

describe('trace context propagation', () => {
  describe('with tracing off', () => {
    it('writes no header and no record entry', () => {
      const span = trace.wrapSpanContext({ traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 });
      const active = trace.setSpan(ROOT_CONTEXT, span);
      const carrier = headers();
      expect(injectTraceContext(carrier, active)).to.equal(false);
      expect(carrier.keys()).to.deep.equal([]);
      expect(traceContextHeaders(active)).to.equal(undefined);
      expect(traceContextRecord(active)).to.deep.equal({});
    });
  });

  describe('with tracing on', () => {
    let tracing: InMemoryTracing;
    before(() => {
      tracing = startInMemoryTracing();
    });
    after(async () => {
      await tracing.stop();
    });
    afterEach(() => tracing.reset());

    it('carries the active span through NATS headers as W3C traceparent, next to other headers', () => {
      tracing.tracer.startActiveSpan('publish', (span) => {
        const carrier = headers();
        carrier.set('Nats-Msg-Id', 'abc');
        expect(injectTraceContext(carrier)).to.equal(true);
        const [, traceId, spanId] = TRACEPARENT.exec(carrier.get('traceparent')) ?? [];
        expect(traceId).to.equal(span.spanContext().traceId);
        expect(spanId).to.equal(span.spanContext().spanId);
        expect(carrier.get('Nats-Msg-Id')).to.equal('abc');

        const parent = trace.getSpanContext(extractTraceContext(carrier));
        expect(parent).to.include({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId, isRemote: true });
        span.end();
      });
    });

    it('carries tracestate along with traceparent', () => {
      const carrier = headers();
      carrier.set('traceparent', `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`);
      carrier.set('tracestate', 'vendor=value');
      const parent = extractTraceContext(carrier);
      expect(trace.getSpanContext(parent)?.traceState?.get('vendor')).to.equal('value');
      const forwarded = headers();
      injectTraceContext(forwarded, parent);
      expect(forwarded.get('tracestate')).to.equal('vendor=value');
    });

    it('reads header names written with other capitals by another client', () => {
      const carrier = headers();
      carrier.set('Traceparent', `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01`);
      expect(trace.getSpanContext(extractTraceContext(carrier))?.traceId).to.equal('a'.repeat(32));
    });

    it('starts a new trace for a legacy message without headers or without a traceparent, whatever is active', () => {
      tracing.tracer.startActiveSpan('unrelated', (active) => {
        expect(extractTraceContext(undefined)).to.equal(ROOT_CONTEXT);
        const withoutTrace = headers();
        withoutTrace.set('Nats-Msg-Id', 'abc');
        expect(trace.getSpanContext(extractTraceContext(withoutTrace))).to.equal(undefined);
        const malformed = headers();
        malformed.set('traceparent', 'not-a-traceparent');
        expect(trace.getSpanContext(extractTraceContext(malformed))).to.equal(undefined);
        active.end();
      });
    });

    it('returns headers only when there is a span to send', () => {
      expect(traceContextHeaders(ROOT_CONTEXT)).to.equal(undefined);
      tracing.tracer.startActiveSpan('publish', (span) => {
        expect(traceContextHeaders()?.get('traceparent')).to.match(TRACEPARENT);
        span.end();
      });
    });

    it('carries the context through a plain record for the in-process bus', () => {
      const span = tracing.tracer.startSpan('publish');
      const record = context.with(trace.setSpan(context.active(), span), () => traceContextRecord());
      expect(Object.keys(record)).to.include('traceparent');
      const parent = trace.getSpanContext(extractTraceContextFromRecord(record));
      expect(parent).to.include({ traceId: span.spanContext().traceId, spanId: span.spanContext().spanId });
      expect(extractTraceContextFromRecord(undefined)).to.equal(ROOT_CONTEXT);
      expect(trace.getSpanContext(extractTraceContextFromRecord({}))).to.equal(undefined);
      span.end();
    });
  });
});
