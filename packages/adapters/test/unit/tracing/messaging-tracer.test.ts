import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { ProspectInvalidError, QueueUnavailableError } from '@signup/domain';
import { expect } from 'chai';
import { after, afterEach, before, describe, it } from 'mocha';
import { headers } from 'nats';
import { FAILURE_CLASSIFICATION_ATTRIBUTE, MessagingTracer, recordMessageFailure } from '../../../src/tracing/messaging-tracer.js';
import { extractTraceContext, injectTraceContext } from '../../../src/tracing/trace-context-propagation.js';
import { startInMemoryTracing, type InMemoryTracing } from './in-memory-tracing.js';

const SUBJECT = 'events.prospect.signedup';

describe('MessagingTracer', () => {
  let tracing: InMemoryTracing;
  let messaging: MessagingTracer;
  before(() => {
    tracing = startInMemoryTracing();
    messaging = new MessagingTracer(tracing.tracer, { consumerGroup: 'save-handler' });
  });
  after(async () => {
    await tracing.stop();
  });
  afterEach(() => tracing.reset());

  function publishWithHeaders(correlationId: string): Promise<ReturnType<typeof headers>> {
    return messaging.publish(SUBJECT, correlationId, () => {
      const carrier = headers();
      injectTraceContext(carrier);
      return Promise.resolve(carrier);
    });
  }

  describe('publish', () => {
    it('makes a PRODUCER span with the messaging attributes, the parent of what the message carries', async () => {
      const carrier = await publishWithHeaders('c-1');
      const span = tracing.span(`publish ${SUBJECT}`);
      expect(span.kind).to.equal(SpanKind.PRODUCER);
      expect(span.attributes).to.deep.equal({
        'messaging.system': 'nats',
        'messaging.destination.name': SUBJECT,
        'messaging.operation.type': 'send',
        'messaging.operation.name': 'publish',
        'messaging.message.id': 'c-1',
      });
      expect(trace.getSpanContext(extractTraceContext(carrier))?.spanId).to.equal(span.spanContext().spanId);
    });

    it('is a child of the active span, such as the HTTP request', async () => {
      await tracing.tracer.startActiveSpan('POST /api/prospects', async (request) => {
        await publishWithHeaders('c-2');
        request.end();
      });
      expect(tracing.span(`publish ${SUBJECT}`).parentSpanContext?.spanId).to.equal(tracing.span('POST /api/prospects').spanContext().spanId);
    });

    it('records a failed publish as transient when the queue is down and rethrows the same error', async () => {
      const failure = new QueueUnavailableError('queue down');
      const thrown = await messaging.publish(SUBJECT, 'c-3', () => Promise.reject(failure)).catch((error: unknown) => error);
      expect(thrown).to.equal(failure);
      const span = tracing.span(`publish ${SUBJECT}`);
      expect(span.status.code).to.equal(SpanStatusCode.ERROR);
      expect(span.attributes).to.include({ [FAILURE_CLASSIFICATION_ATTRIBUTE]: 'transient', 'error.type': 'QUEUE_UNAVAILABLE' });
      expect(span.events.map((event) => event.name)).to.deep.equal(['exception']);
    });
  });

  describe('receive and process', () => {
    it('makes CONSUMER spans whose parent is the publish span carried in the headers', async () => {
      const carrier = await publishWithHeaders('c-4');
      const message = { messageId: 'c-4', parent: extractTraceContext(carrier) };
      messaging.receive(SUBJECT, message);
      let activeInside: string | undefined;
      await messaging.process(SUBJECT, message, () => {
        activeInside = trace.getActiveSpan()?.spanContext().spanId;
        return Promise.resolve();
      });
      const publish = tracing.span(`publish ${SUBJECT}`);
      const receive = tracing.span(`receive ${SUBJECT}`);
      const process = tracing.span(`process ${SUBJECT}`);
      for (const span of [receive, process]) {
        expect(span.kind).to.equal(SpanKind.CONSUMER);
        expect(span.spanContext().traceId).to.equal(publish.spanContext().traceId);
        expect(span.parentSpanContext?.spanId).to.equal(publish.spanContext().spanId);
        expect(span.attributes).to.include({ 'messaging.message.id': 'c-4', 'messaging.consumer.group.name': 'save-handler', 'messaging.system': 'nats' });
      }
      expect(receive.attributes['messaging.operation.type']).to.equal('receive');
      expect(process.attributes['messaging.operation.type']).to.equal('process');
      expect(activeInside).to.equal(process.spanContext().spanId);
    });

    it('starts a trace of its own for a legacy message without headers, with receive as the parent of process', async () => {
      await tracing.tracer.startActiveSpan('unrelated', async (unrelated) => {
        const message = messaging.receive(SUBJECT, { messageId: 'legacy', parent: extractTraceContext(undefined) });
        await messaging.process(SUBJECT, message, () => Promise.resolve());
        unrelated.end();
      });
      const receive = tracing.span(`receive ${SUBJECT}`);
      const process = tracing.span(`process ${SUBJECT}`);
      expect(receive.parentSpanContext).to.equal(undefined);
      expect(receive.spanContext().traceId).not.to.equal(tracing.span('unrelated').spanContext().traceId);
      expect(process.parentSpanContext?.spanId).to.equal(receive.spanContext().spanId);
    });

    it('hands back a message that carried a context unchanged, so process stays a child of publish', async () => {
      const message = { messageId: 'c-9', parent: extractTraceContext(await publishWithHeaders('c-9')) };
      expect(messaging.receive(SUBJECT, message)).to.equal(message);
    });

    it('classifies an invalid message as permanent and can mark it dead-lettered', async () => {
      const invalid = new ProspectInvalidError({ emailAddress: 'Email Address is not valid' });
      await messaging.process(SUBJECT, { messageId: 'c-5', parent: extractTraceContext(undefined) }, () => Promise.reject(invalid)).catch(() => undefined);
      expect(tracing.span(`process ${SUBJECT}`).attributes[FAILURE_CLASSIFICATION_ATTRIBUTE]).to.equal('permanent');
      tracing.reset();

      await messaging.process(SUBJECT, { messageId: 'c-6', parent: extractTraceContext(undefined) }, () => {
        recordMessageFailure(invalid, 'dead-lettered');
        return Promise.resolve();
      });
      const span = tracing.span(`process ${SUBJECT}`);
      expect(span.attributes).to.include({ [FAILURE_CLASSIFICATION_ATTRIBUTE]: 'dead-lettered', 'error.type': 'PROSPECT_INVALID' });
      expect(span.status.code).to.equal(SpanStatusCode.ERROR);
    });

    it('masks email addresses in recorded errors', async () => {
      const failure = new Error('duplicate key for jane.doe@example.com');
      await messaging.process(SUBJECT, { parent: extractTraceContext(undefined) }, () => Promise.reject(failure)).catch(() => undefined);
      const span = tracing.span(`process ${SUBJECT}`);
      const recorded = JSON.stringify([span.status, span.events]);
      expect(recorded).not.to.contain('jane.doe@');
      expect(recorded).to.contain('j***@example.com');
    });
  });

  describe('batch', () => {
    it('links a span of its own trace to every message that carried a context', async () => {
      const first = extractTraceContext(await publishWithHeaders('c-7'));
      const second = extractTraceContext(await publishWithHeaders('c-8'));
      const legacy = extractTraceContext(undefined);
      await messaging.batch(SUBJECT, [{ messageId: 'c-7', parent: first }, { messageId: 'c-8', parent: second }, { parent: legacy }], () => Promise.resolve());
      const batch = tracing.spans().find((span) => span.name === `process ${SUBJECT}`)!;
      expect(batch.kind).to.equal(SpanKind.CONSUMER);
      expect(batch.parentSpanContext).to.equal(undefined);
      expect(batch.attributes['messaging.batch.message_count']).to.equal(3);
      const publishes = tracing.spans().filter((span) => span.name === `publish ${SUBJECT}`).map((span) => span.spanContext().spanId);
      expect(batch.links.map((link) => link.context.spanId)).to.deep.equal(publishes);
    });
  });

  describe('recordMessageFailure', () => {
    it('does nothing without an active span', () => {
      expect(() => recordMessageFailure(new Error('x'), 'transient')).not.to.throw();
    });
  });
});
