import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { QueueUnavailableError } from '@signup/domain';
import { expect } from 'chai';
import { after, afterEach, before, beforeEach, describe, it } from 'mocha';
import sinon from 'sinon';
import request from 'supertest';
import { createTestApp, VALID_INPUT } from './test-app.js';

describe('requestTracing', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new NodeTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('test');
  let sandbox: sinon.SinonSandbox;

  before(() => provider.register());
  after(async () => {
    await provider.shutdown();
    trace.disable();
    context.disable();
    propagation.disable();
  });
  beforeEach(() => {
    sandbox = sinon.createSandbox();
  });
  afterEach(() => {
    sandbox.restore();
    exporter.reset();
  });

  function onlySpan(): ReadableSpan {
    const spans = exporter.getFinishedSpans();
    expect(spans).to.have.length(1);
    return spans[0]!;
  }

  it('makes a SERVER span named after the route template, active while the sign-up is saved', async () => {
    const t = createTestApp(sandbox, { options: { tracer } });
    let activeDuringSave: string | undefined;
    t.save.callsFake((event) => {
      activeDuringSave = trace.getActiveSpan()?.spanContext().spanId;
      return Promise.resolve({ status: 'queued', correlationId: event.correlationId });
    });
    await request(t.callback).post('/api/prospects?source=ad').send(VALID_INPUT).expect(202);
    const span = onlySpan();
    expect(span.name).to.equal('POST /api/prospects');
    expect(span.kind).to.equal(SpanKind.SERVER);
    expect(span.attributes).to.deep.equal({
      'http.request.method': 'POST',
      'url.path': '/api/prospects',
      'url.scheme': 'http',
      'http.route': '/api/prospects',
      'http.response.status_code': 202,
    });
    expect(span.status.code).to.equal(SpanStatusCode.UNSET);
    expect(activeDuringSave).to.equal(span.spanContext().spanId);
  });

  it('continues the trace of a traceparent the client sent', async () => {
    const t = createTestApp(sandbox, { options: { tracer } });
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await request(t.callback).get('/app/SignUp').set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`).expect(200);
    const span = onlySpan();
    expect(span.spanContext().traceId).to.equal(traceId);
    expect(span.parentSpanContext?.spanId).to.equal('00f067aa0ba902b7');
  });

  it('names an unmatched request by its method only, never by its path', async () => {
    const t = createTestApp(sandbox, { options: { tracer } });
    await request(t.callback).get('/no/such/page/jane@example.com').expect(404);
    const span = onlySpan();
    expect(span.name).to.equal('GET');
    expect(span.attributes).not.to.have.property('http.route');
    expect(span.attributes['http.response.status_code']).to.equal(404);
  });

  it('marks a 503 failed with the status as the error type', async () => {
    const t = createTestApp(sandbox, { options: { tracer } });
    t.save.rejects(new QueueUnavailableError('queue down'));
    await request(t.callback).post('/api/prospects').send(VALID_INPUT).expect(503);
    const span = onlySpan();
    expect(span.status.code).to.equal(SpanStatusCode.ERROR);
    expect(span.attributes).to.include({ 'http.response.status_code': 503, 'error.type': '503' });
  });

  it('makes no span when the app is built without a tracer', async () => {
    const t = createTestApp(sandbox);
    await request(t.callback).post('/api/prospects').send(VALID_INPUT).expect(202);
    expect(exporter.getFinishedSpans()).to.deep.equal([]);
  });
});
