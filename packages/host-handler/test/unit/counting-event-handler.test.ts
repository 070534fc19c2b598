import { expect } from 'chai';
import { describe, it } from 'mocha';
import { Registry, Counter } from 'prom-client';
import type { EventOutcome, IProspectEventHandler, ProspectSignedUpEvent } from '@signup/domain';
import sinon from 'sinon';
import { CountingEventHandler } from '../../src/handlers/counting-event-handler.js';
import { createHandlerMetrics } from '../../src/monitoring/handler-metrics.js';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';

class ScriptedHandler implements IProspectEventHandler {
  readonly name = 'save-handler';
  readonly batches: (readonly ProspectSignedUpEvent[])[] = [];
  constructor(private readonly answer: () => Promise<EventOutcome[]>) {}
  handle(events: readonly ProspectSignedUpEvent[]): Promise<EventOutcome[]> {
    this.batches.push(events);
    return this.answer();
  }
}

function makeCounter(): { registry: Registry; counter: Counter<'handler' | 'status'> } {
  const registry = new Registry();
  const counter = new Counter({ name: 'message_handler_events_total', help: 'events', labelNames: ['handler', 'status'] as const, registers: [registry] });
  return { registry, counter };
}

async function counts(registry: Registry): Promise<Record<string, number>> {
  const metric = await registry.getSingleMetric('message_handler_events_total')!.get();
  return Object.fromEntries(metric.values.map((value) => [`${value.labels.handler}/${value.labels.status}`, value.value]));
}

describe('CountingEventHandler', () => {
  describe('handle', () => {
    it('counts each event by its outcome (done, rejected, retry), per handler name', async () => {
      const { registry, counter } = makeCounter();
      const outcomes: EventOutcome[] = [
        { status: 'done', prospectId: 1 },
        { status: 'rejected', reason: 'roleCode: unknown' },
        { status: 'done', prospectId: 2 },
        { status: 'retry', reason: 'database down' },
      ];
      const handler = new CountingEventHandler(new ScriptedHandler(() => Promise.resolve(outcomes)), counter);

      await handler.handle(['a', 'b', 'c', 'd'].map((correlationId) => newProspectSignedUpEvent({ correlationId })));

      expect(await counts(registry)).to.deep.equal({
        'save-handler/done': 2,
        'save-handler/rejected': 1,
        'save-handler/retry': 1,
      });
    });

    it('returns the inner handler\'s outcomes unchanged and passes the batch through', async () => {
      const { counter } = makeCounter();
      const outcomes: EventOutcome[] = [{ status: 'done', prospectId: 7 }];
      const inner = new ScriptedHandler(() => Promise.resolve(outcomes));
      const batch = [newProspectSignedUpEvent({ correlationId: 'a' })];

      const result = await new CountingEventHandler(inner, counter).handle(batch);

      expect(result).to.equal(outcomes);
      expect(inner.batches).to.deep.equal([batch]);
    });

    it('counts a batch the inner handler throws on as retry and rethrows the error', async () => {
      const { registry, counter } = makeCounter();
      const failure = new Error('boom');
      const handler = new CountingEventHandler(new ScriptedHandler(() => Promise.reject(failure)), counter);

      let thrown: unknown;
      try {
        await handler.handle([newProspectSignedUpEvent({ correlationId: 'a' }), newProspectSignedUpEvent({ correlationId: 'b' }), newProspectSignedUpEvent({ correlationId: 'c' })]);
      } catch (error) {
        thrown = error;
      }

      expect(thrown).to.equal(failure);
      expect(await counts(registry)).to.deep.equal({ 'save-handler/retry': 3 });
    });

    it('adds up across batches', async () => {
      const { registry, counter } = makeCounter();
      const handler = new CountingEventHandler(
        new ScriptedHandler(() => Promise.resolve([{ status: 'done' }, { status: 'done' }])),
        counter,
      );

      await handler.handle([newProspectSignedUpEvent({ correlationId: 'a' }), newProspectSignedUpEvent({ correlationId: 'b' })]);
      await handler.handle([newProspectSignedUpEvent({ correlationId: 'c' }), newProspectSignedUpEvent({ correlationId: 'd' })]);

      expect(await counts(registry)).to.deep.equal({ 'save-handler/done': 4 });
    });
  });

  describe('handle with histograms', () => {
    it('observes the batch size and duration, and the time from SignedUpAt to commit of each saved event only', async () => {
      const metrics = createHandlerMetrics({ defaultMetrics: false });
      const clock = sinon.useFakeTimers({ now: new Date('2026-11-23T10:00:02Z'), toFake: ['Date'] });
      try {
        const handler = new CountingEventHandler(
          new ScriptedHandler(() => Promise.resolve([{ status: 'done' }, { status: 'retry', reason: 'database away' }, { status: 'done' }])),
          metrics.events,
          metrics,
        );
        await handler.handle([newProspectSignedUpEvent({ correlationId: 'a' }), newProspectSignedUpEvent({ correlationId: 'b' }), newProspectSignedUpEvent({ correlationId: 'c' })]);
      } finally {
        clock.restore();
      }

      const text = await metrics.registry.metrics();
      expect(text).to.match(/^signup_handler_batch_size_sum\{handler="save-handler"\} 3$/m);
      expect(text).to.match(/^signup_handler_batch_duration_seconds_count\{handler="save-handler"\} 1$/m);
      expect(text).to.match(/^signup_publish_to_commit_seconds_count\{handler="save-handler"\} 2$/m);
      expect(text).to.match(/^signup_publish_to_commit_seconds_sum\{handler="save-handler"\} 4$/m);
      expect(text).to.match(/^signup_publish_to_commit_seconds_bucket\{le="1",handler="save-handler"\} 0$/m);
      expect(text).to.match(/^signup_publish_to_commit_seconds_bucket\{le="2.5",handler="save-handler"\} 2$/m);
    });

    it('observes a batch the inner handler throws on, and no publish-to-commit time', async () => {
      const metrics = createHandlerMetrics({ defaultMetrics: false });
      const handler = new CountingEventHandler(new ScriptedHandler(() => Promise.reject(new Error('boom'))), metrics.events, metrics);
      await handler.handle([newProspectSignedUpEvent({ correlationId: 'a' })]).catch(() => undefined);

      const text = await metrics.registry.metrics();
      expect(text).to.match(/^signup_handler_batch_size_count\{handler="save-handler"\} 1$/m);
      expect(text).to.not.match(/^signup_publish_to_commit_seconds_count/m);
    });
  });

  describe('name', () => {
    it('is the inner handler\'s name, so it subscribes as the same consumer', () => {
      const { counter } = makeCounter();
      expect(new CountingEventHandler(new ScriptedHandler(() => Promise.resolve([])), counter).name).to.equal('save-handler');
    });
  });
});
