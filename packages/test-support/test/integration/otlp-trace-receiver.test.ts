import { SpanKind, SpanStatusCode, trace, ROOT_CONTEXT } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { expect } from 'chai';
import { after, afterEach, before, describe, it } from 'mocha';
import { OTLP_SPAN_KIND, OtlpTraceReceiver } from '../../src/otlp-trace-receiver.js';

describe('OtlpTraceReceiver', () => {
  let receiver: OtlpTraceReceiver;
  let provider: BasicTracerProvider;

  before(async () => {
    receiver = await OtlpTraceReceiver.start();
    provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'receiver-test' }),
      spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url: receiver.tracesUrl }))],
    });
  });
  after(async () => {
    await provider.shutdown();
    await receiver.close();
  });
  afterEach(() => receiver.clear());

  it('receives what the SDK\'s OTLP/HTTP JSON exporter sends, with parents, links, attributes and status', async () => {
    const tracer = provider.getTracer('test');
    const parent = tracer.startSpan('publish events.prospect.signedup', { kind: SpanKind.PRODUCER, attributes: { 'messaging.message.id': 'c-1', count: 3, ok: true } });
    const child = tracer.startSpan('process events.prospect.signedup', { kind: SpanKind.CONSUMER }, trace.setSpan(ROOT_CONTEXT, parent));
    child.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
    child.end();
    parent.end();
    const linking = tracer.startSpan('batch', { root: true, links: [{ context: parent.spanContext() }] });
    linking.end();
    await provider.forceFlush();

    const received = await receiver.waitForSpan((span) => span.name === 'batch');
    const publish = receiver.spansNamed('publish events.prospect.signedup')[0]!;
    const process = receiver.spansNamed('process events.prospect.signedup')[0]!;
    expect(publish).to.deep.include({
      serviceName: 'receiver-test',
      traceId: parent.spanContext().traceId,
      spanId: parent.spanContext().spanId,
      parentSpanId: undefined,
      kind: OTLP_SPAN_KIND.producer,
    });
    expect(publish.attributes).to.deep.equal({ 'messaging.message.id': 'c-1', count: 3, ok: true });
    expect(process.kind).to.equal(OTLP_SPAN_KIND.consumer);
    expect(process.status).to.deep.equal({ code: 2, message: 'failed' });
    expect(receiver.parentOf(process)).to.equal(publish);
    expect(receiver.isDescendantOf(process, publish)).to.equal(true);
    expect(receiver.isDescendantOf(publish, process)).to.equal(false);
    expect(receiver.spansOfTrace(publish.traceId)).to.have.length(2);
    expect(receiver.linkedFrom(received)).to.deep.equal([publish]);
    expect(receiver.rejected).to.deep.equal([]);
  });

  it('refuses protobuf bodies and other paths, and says so when a wait times out', async () => {
    const protobuf = await fetch(receiver.tracesUrl, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array([1, 2]) });
    expect(protobuf.status).to.equal(415);
    const elsewhere = await fetch(`${receiver.baseUrl}/v1/metrics`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(elsewhere.status).to.equal(404);
    const error = await receiver.waitForSpan(() => true, 50).catch((thrown: unknown) => thrown as Error);
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.contain('received: none').and.to.contain('application/x-protobuf');
  });
});
