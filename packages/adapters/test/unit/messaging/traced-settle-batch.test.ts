import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { EventOutcome, IProspectEventHandler, ProspectSignedUpEvent } from '@signup/domain';
import { expect } from 'chai';
import { after, afterEach, before, describe, it } from 'mocha';
import { InMemoryEventBus } from '../../../src/memory/in-memory-event-bus.js';
import { inChildSpan } from '../../../src/tracing/child-span.js';
import { FAILURE_CLASSIFICATION_ATTRIBUTE, MessagingTracer } from '../../../src/tracing/messaging-tracer.js';
import { startInMemoryTracing, type InMemoryTracing } from '../tracing/in-memory-tracing.js';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';

const SUBJECT = 'events.prospect.signedup';

/** Answers each batch with `decide`, writing it inside a child span as a repository would. */
class DecidingHandler implements IProspectEventHandler {
  readonly name = 'save-handler';
  constructor(private readonly decide: (event: ProspectSignedUpEvent) => EventOutcome = () => ({ status: 'done' })) {}

  handle(events: readonly ProspectSignedUpEvent[]): Promise<EventOutcome[]> {
    return inChildSpan('INSERT Prospects', { 'db.operation.name': 'INSERT' }, () => Promise.resolve(events.map((event) => this.decide(event))));
  }
}

describe('settleBatch with a tracer (through InMemoryEventBus)', () => {
  let tracing: InMemoryTracing;
  let messaging: MessagingTracer;
  let bus: InMemoryEventBus | undefined;
  before(() => {
    tracing = startInMemoryTracing();
    messaging = new MessagingTracer(tracing.tracer, { consumerGroup: 'save-handler' });
  });
  after(() => tracing.stop());
  afterEach(async () => {
    await bus?.close();
    tracing.reset();
  });

  async function deliver(handler: IProspectEventHandler, publish: (bus: InMemoryEventBus) => Promise<void>, tracer: MessagingTracer | null = messaging): Promise<void> {
    bus = new InMemoryEventBus({ tracer: tracer ?? undefined, retryDelaysMs: [60_000] });
    await bus.subscribe(handler);
    await publish(bus);
    await bus.whenIdle();
  }

  const spansNamed = (name: string) => tracing.spans().filter((span) => span.name === name);

  it('makes receive and process spans children of the publish span, and a batch span linked to it around the write', async () => {
    const event = newProspectSignedUpEvent();
    await deliver(new DecidingHandler(), (target) => messaging.publish(SUBJECT, event.correlationId, () => target.publish(event)));

    const publish = tracing.span(`publish ${SUBJECT}`);
    const [receive] = spansNamed(`receive ${SUBJECT}`);
    const processes = spansNamed(`process ${SUBJECT}`);
    const perMessage = processes.find((span) => span.attributes['messaging.batch.message_count'] === undefined)!;
    const batch = processes.find((span) => span.attributes['messaging.batch.message_count'] === 1)!;
    expect(receive?.parentSpanContext?.spanId).to.equal(publish.spanContext().spanId);
    expect(perMessage.parentSpanContext?.spanId).to.equal(publish.spanContext().spanId);
    expect(perMessage.spanContext().traceId).to.equal(publish.spanContext().traceId);
    expect(perMessage.attributes['messaging.message.id']).to.equal(event.correlationId);
    expect(perMessage.kind).to.equal(SpanKind.CONSUMER);
    expect(perMessage.status.code).to.equal(SpanStatusCode.UNSET);
    expect(batch.links.map((link) => link.context.spanId)).to.deep.equal([publish.spanContext().spanId]);
    expect(batch.spanContext().traceId).to.not.equal(publish.spanContext().traceId);
    expect(tracing.span('INSERT Prospects').parentSpanContext?.spanId).to.equal(batch.spanContext().spanId);
  });

  it('starts a trace of its own for a message published with no trace context', async () => {
    await deliver(new DecidingHandler(), (target) => target.publish(newProspectSignedUpEvent()));

    const [receive] = spansNamed(`receive ${SUBJECT}`);
    const perMessage = spansNamed(`process ${SUBJECT}`).find((span) => span.attributes['messaging.batch.message_count'] === undefined)!;
    expect(receive?.parentSpanContext).to.equal(undefined);
    expect(perMessage.parentSpanContext?.spanId).to.equal(receive?.spanContext().spanId);
  });

  it('marks a rejected message dead-lettered with its reason, and a retried one transient', async () => {
    const rejected = newProspectSignedUpEvent();
    await deliver(
      new DecidingHandler((event) => (event.correlationId === rejected.correlationId ? { status: 'rejected', reason: 'unknown country XX' } : { status: 'retry', reason: 'database away' })),
      async (target) => {
        await target.publish(rejected);
        await target.publish(newProspectSignedUpEvent());
      },
    );

    const perMessage = spansNamed(`process ${SUBJECT}`).filter((span) => span.attributes['messaging.batch.message_count'] === undefined);
    const deadLettered = perMessage.find((span) => span.attributes['messaging.message.id'] === rejected.correlationId)!;
    const retried = perMessage.find((span) => span.attributes['messaging.message.id'] !== rejected.correlationId)!;
    expect(deadLettered.status.code).to.equal(SpanStatusCode.ERROR);
    expect(deadLettered.attributes[FAILURE_CLASSIFICATION_ATTRIBUTE]).to.equal('dead-lettered');
    expect(deadLettered.events[0]?.attributes?.['exception.message']).to.equal('unknown country XX');
    expect(retried.status.code).to.equal(SpanStatusCode.ERROR);
    expect(retried.attributes[FAILURE_CLASSIFICATION_ATTRIBUTE]).to.equal('transient');
  });

  it('makes no span at all without a tracer', async () => {
    await deliver(new DecidingHandler(), (target) => target.publish(newProspectSignedUpEvent()), null);
    expect(tracing.spans()).to.deep.equal([]);
  });
});

describe('inChildSpan', () => {
  let tracing: InMemoryTracing;
  before(() => {
    tracing = startInMemoryTracing();
  });
  after(() => tracing.stop());
  afterEach(() => tracing.reset());

  it('makes no span when no span is active', async () => {
    expect(await inChildSpan('INSERT Prospects', () => { throw new Error('attributes read without a span'); }, () => Promise.resolve(42))).to.equal(42);
    expect(tracing.spans()).to.deep.equal([]);
  });

  it('makes a child of the active span, failed with the error code when the work rejects', async () => {
    const failure = Object.assign(new Error('down'), { code: 'DATABASE_UNAVAILABLE' });
    await tracing.tracer.startActiveSpan('batch', async (batch) => {
      const thrown = await inChildSpan('INSERT Prospects', {}, () => Promise.reject(failure)).catch((error: unknown) => error);
      expect(thrown).to.equal(failure);
      batch.end();
    });
    const child = tracing.span('INSERT Prospects');
    expect(child.parentSpanContext?.spanId).to.equal(tracing.span('batch').spanContext().spanId);
    expect(child.status.code).to.equal(SpanStatusCode.ERROR);
    expect(child.attributes['error.type']).to.equal('DATABASE_UNAVAILABLE');
    expect(trace.getActiveSpan()).to.equal(undefined);
  });
});
