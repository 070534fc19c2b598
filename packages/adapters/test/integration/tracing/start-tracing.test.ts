import { trace } from '@opentelemetry/api';
import { ConfigurationError } from '../../../src/config/index.js';
import { OtlpTraceReceiver } from '@signup/test-support/otlp-trace-receiver';
import { expect } from 'chai';
import { after, afterEach, before, describe, it } from 'mocha';
import sinon from 'sinon';
import { RecordingLogger } from '../../../src/memory/recording-logger.js';
import { startTracing, type Tracing } from '../../../src/tracing/start-tracing.js';
import { DEFAULT_SPAN_QUEUE } from '../../../src/tracing/tracing-settings.js';

describe('startTracing', () => {
  let receiver: OtlpTraceReceiver;
  let tracing: Tracing | undefined;
  const sandbox = sinon.createSandbox();

  before(async () => {
    receiver = await OtlpTraceReceiver.start();
  });
  after(async () => {
    await receiver.close();
  });
  afterEach(async () => {
    await tracing?.shutdown();
    tracing = undefined;
    receiver.clear();
    sandbox.restore();
  });

  it('registers nothing and returns no tracer when no variable turns tracing on', async () => {
    tracing = await startTracing('signup-web', {});
    expect(tracing.tracer).to.equal(undefined);
    expect(trace.getTracer('any').startSpan('s').isRecording()).to.equal(false);
  });

  it('exports spans over OTLP/HTTP JSON with the default service name, flushing on shutdown', async () => {
    tracing = await startTracing('signup-handler', { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.baseUrl });
    tracing.tracer!.startActiveSpan('outer', (outer) => {
      trace.getTracer('other').startSpan('inner').end();
      outer.end();
    });
    await tracing.shutdown();
    const inner = await receiver.waitForSpan((span) => span.name === 'inner');
    expect(inner.serviceName).to.equal('signup-handler');
    expect(inner.resource['telemetry.sdk.language']).to.equal('nodejs');
    expect(receiver.parentOf(inner)?.name).to.equal('outer');
  });

  it('takes the service name from OTEL_SERVICE_NAME and honours an always_off sampler', async () => {
    tracing = await startTracing('signup-web', {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: receiver.tracesUrl,
      OTEL_SERVICE_NAME: 'shop-web',
    });
    tracing.tracer!.startSpan('kept').end();
    await tracing.shutdown();
    expect((await receiver.waitForSpan((span) => span.name === 'kept')).serviceName).to.equal('shop-web');

    receiver.clear();
    tracing = await startTracing('signup-web', { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.baseUrl, OTEL_TRACES_SAMPLER: 'always_off' });
    expect(tracing.tracer!.startSpan('dropped').isRecording()).to.equal(false);
  });

  it('sends protobuf by default, and logs a refused export at shutdown instead of failing', async () => {
    const logger = new RecordingLogger();
    tracing = await startTracing('signup-web', { OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.baseUrl }, logger);
    tracing.tracer!.startSpan('binary').end();
    await tracing.shutdown();
    expect(receiver.rejected.join()).to.contain('application/x-protobuf');
    expect(logger.text()).to.contain('WARN').and.to.contain('Unsupported Media Type');
  });

  it('writes spans to standard output with the console exporter', async () => {
    const log = sandbox.stub(console, 'dir');
    tracing = await startTracing('signup-web', { OTEL_TRACES_EXPORTER: 'console' });
    tracing.tracer!.startSpan('printed').end();
    await tracing.shutdown();
    sandbox.restore();
    expect(JSON.stringify(log.args)).to.contain('printed');
  });

  // Spans ended in one go, faster than any export: the queue keeps what it can hold plus the
  // batch being exported, and drops the rest. Nothing here is timed.
  const endManySpans = (tracer: NonNullable<Tracing['tracer']>, count: number): void => {
    for (let i = 0; i < count; i += 1) tracer.startSpan(`burst ${i}`).end();
  };
  const burstEnv = (overrides: Record<string, string> = {}): Record<string, string> => ({
    OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.baseUrl, ...overrides,
  });

  it('bounds the span queue by default: a burst beyond it is dropped, not buffered', async () => {
    const { maxQueueSize, maxExportBatchSize } = DEFAULT_SPAN_QUEUE;
    const made = maxQueueSize + maxExportBatchSize + 500;
    tracing = await startTracing('signup-handler', burstEnv(), new RecordingLogger());
    endManySpans(tracing.tracer!, made);
    await tracing.shutdown();
    const received = receiver.spans().filter((span) => span.name.startsWith('burst ')).length;
    expect(received).to.be.at.least(maxQueueSize);
    expect(received).to.be.at.most(maxQueueSize + maxExportBatchSize);
  });

  it('lets OTEL_BSP_MAX_QUEUE_SIZE raise the bound', async () => {
    const made = DEFAULT_SPAN_QUEUE.maxQueueSize + DEFAULT_SPAN_QUEUE.maxExportBatchSize + 500;
    tracing = await startTracing('signup-handler', burstEnv({ OTEL_BSP_MAX_QUEUE_SIZE: String(made) }), new RecordingLogger());
    endManySpans(tracing.tracer!, made);
    await tracing.shutdown();
    expect(receiver.spans().filter((span) => span.name.startsWith('burst ')).length).to.equal(made);
  });

  it('keeps every link of a span linked to a batch of 1000 messages by default', async () => {
    tracing = await startTracing('signup-handler', burstEnv());
    const messages = Array.from({ length: 1000 }, (_unused, i) => tracing!.tracer!.startSpan(`message ${i}`));
    for (const message of messages) message.end();
    tracing.tracer!.startSpan('batch', { links: messages.map((message) => ({ context: message.spanContext() })) }).end();
    await tracing.shutdown();
    const batch = await receiver.waitForSpan((span) => span.name === 'batch');
    expect(batch.links).to.have.length(1000);
    expect(new Set(batch.links.map((link) => link.spanId))).to.deep.equal(new Set(messages.map((message) => message.spanContext().spanId)));
  });

  it('stops on a bad variable before loading anything', async () => {
    const error = await startTracing('signup-web', { OTEL_TRACES_EXPORTER: 'zipkin' }).catch((thrown: unknown) => thrown);
    expect(error).to.be.instanceOf(ConfigurationError);
  });
});
