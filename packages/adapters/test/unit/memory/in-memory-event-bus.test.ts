import {
  type EventOutcome,
  type IProspectEventHandler,
  type ProspectSignedUpEvent,
  QueueUnavailableError,
} from '@signup/domain';
import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import sinon from 'sinon';
import { InMemoryEventBus } from '../../../src/memory/in-memory-event-bus.js';
import { RecordingLogger } from '../../../src/memory/recording-logger.js';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';

type Decide = (event: ProspectSignedUpEvent, attempt: number) => EventOutcome;

/** Records every batch it is given and answers with `decide`, which sees how often each event came. */
class RecordingHandler implements IProspectEventHandler {
  readonly batches: string[][] = [];
  readonly attempts = new Map<string, number>();

  constructor(readonly name: string, private readonly decide: Decide = () => ({ status: 'done' })) {}

  get received(): string[] {
    return this.batches.flat();
  }

  handle(events: readonly ProspectSignedUpEvent[]): Promise<EventOutcome[]> {
    this.batches.push(events.map((event) => event.correlationId));
    return Promise.resolve(events.map((event) => {
      const attempt = (this.attempts.get(event.correlationId) ?? 0) + 1;
      this.attempts.set(event.correlationId, attempt);
      return this.decide(event, attempt);
    }));
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe('InMemoryEventBus', () => {
  let bus: InMemoryEventBus;
  let logger: RecordingLogger;

  beforeEach(() => {
    logger = new RecordingLogger();
  });

  afterEach(async () => {
    await bus.close();
  });

  describe('delivery', () => {
    it('delivers a published event to the subscribed handler', async () => {
      bus = new InMemoryEventBus({ logger });
      const handler = new RecordingHandler('save-handler');
      await bus.subscribe(handler);
      const event = newProspectSignedUpEvent();
      await bus.publish(event);
      await bus.whenIdle();
      expect(handler.received).to.deep.equal([event.correlationId]);
      expect(bus.size).to.equal(0);
    });

    it('hands the handler the event as published', async () => {
      bus = new InMemoryEventBus();
      let seen: readonly ProspectSignedUpEvent[] = [];
      await bus.subscribe({
        name: 'save-handler',
        handle: (events) => {
          seen = events;
          return Promise.resolve(events.map((): EventOutcome => ({ status: 'done' })));
        },
      });
      const event = newProspectSignedUpEvent();
      await bus.publish(event);
      await bus.whenIdle();
      expect(seen).to.deep.equal([event]);
    });

    it('keeps events published before anyone subscribed and delivers them to the first subscriber', async () => {
      bus = new InMemoryEventBus();
      const events = [newProspectSignedUpEvent(), newProspectSignedUpEvent()];
      for (const event of events) await bus.publish(event);
      expect(bus.size).to.equal(2);
      const handler = new RecordingHandler('save-handler');
      await bus.subscribe(handler);
      await bus.whenIdle();
      expect(handler.received).to.deep.equal(events.map((event) => event.correlationId));
    });

    it('logs the subject and queue it listens on', async () => {
      bus = new InMemoryEventBus({ logger });
      await bus.subscribe(new RecordingHandler('save-handler'));
      expect(logger.messages('info')).to.include('Listening on subject: events.prospect.signedup, queue: save-handler');
    });

    it('delivers an event published again with the same correlation id while still buffered once', async () => {
      bus = new InMemoryEventBus();
      const event = newProspectSignedUpEvent();
      await bus.publish(event);
      await bus.publish({ ...event });
      const handler = new RecordingHandler('save-handler');
      await bus.subscribe(handler);
      await bus.whenIdle();
      expect(handler.received).to.deep.equal([event.correlationId]);
    });
  });

  describe('batching', () => {
    it('hands events published together over in batches of at most batchSize, in order', async () => {
      bus = new InMemoryEventBus({ batchSize: 100 });
      const handler = new RecordingHandler('save-handler');
      await bus.subscribe(handler);
      const events = Array.from({ length: 250 }, () => newProspectSignedUpEvent());
      await Promise.all(events.map((event) => bus.publish(event)));
      await bus.whenIdle();
      expect(handler.batches.map((batch) => batch.length)).to.deep.equal([100, 100, 50]);
      expect(handler.received).to.deep.equal(events.map((event) => event.correlationId));
    });

    it('gives one subscription one batch at a time', async () => {
      bus = new InMemoryEventBus({ batchSize: 2 });
      let inHand = 0;
      let most = 0;
      await bus.subscribe({
        name: 'save-handler',
        handle: async (events) => {
          inHand += 1;
          most = Math.max(most, inHand);
          await new Promise((resolve) => setImmediate(resolve));
          inHand -= 1;
          return events.map((): EventOutcome => ({ status: 'done' }));
        },
      });
      await Promise.all(Array.from({ length: 7 }, () => bus.publish(newProspectSignedUpEvent())));
      await bus.whenIdle();
      expect(most).to.equal(1);
      expect(bus.size).to.equal(0);
    });
  });

  describe('consumer groups', () => {
    it('gives every event to each distinct handler name', async () => {
      bus = new InMemoryEventBus();
      const save = new RecordingHandler('save-handler');
      const index = new RecordingHandler('index-handler');
      await bus.subscribe(save);
      await bus.subscribe(index);
      const events = [newProspectSignedUpEvent(), newProspectSignedUpEvent(), newProspectSignedUpEvent()];
      for (const event of events) await bus.publish(event);
      await bus.whenIdle();
      const ids = events.map((event) => event.correlationId);
      expect(save.received).to.deep.equal(ids);
      expect(index.received).to.deep.equal(ids);
      expect(bus.size).to.equal(0);
    });

    it('shares events between subscriptions with the same name, each event going to one of them', async () => {
      bus = new InMemoryEventBus({ batchSize: 5 });
      const first = new RecordingHandler('save-handler');
      const second = new RecordingHandler('save-handler');
      await bus.subscribe(first);
      await bus.subscribe(second);
      const events = Array.from({ length: 30 }, () => newProspectSignedUpEvent());
      await Promise.all(events.map((event) => bus.publish(event)));
      await bus.whenIdle();
      expect(first.received).not.to.be.empty;
      expect(second.received).not.to.be.empty;
      expect([...first.received, ...second.received].sort())
        .to.deep.equal(events.map((event) => event.correlationId).sort());
    });

    it('keeps an event until every group has finished it', async () => {
      bus = new InMemoryEventBus();
      const gate = deferred();
      await bus.subscribe(new RecordingHandler('save-handler'));
      await bus.subscribe({
        name: 'index-handler',
        handle: async (events) => {
          await gate.promise;
          return events.map((): EventOutcome => ({ status: 'done' }));
        },
      });
      await bus.publish(newProspectSignedUpEvent());
      await new Promise((resolve) => setImmediate(resolve));
      expect(bus.size).to.equal(1);
      expect(bus.pending('save-handler')).to.equal(0);
      expect(bus.pending('index-handler')).to.equal(1);
      gate.resolve();
      await bus.whenIdle();
      expect(bus.size).to.equal(0);
    });

    it('holds events for a group whose subscriptions stopped and delivers them when it subscribes again', async () => {
      bus = new InMemoryEventBus();
      const subscription = await bus.subscribe(new RecordingHandler('save-handler'));
      await subscription.stop();
      const event = newProspectSignedUpEvent();
      await bus.publish(event);
      await bus.whenIdle();
      expect(bus.pending('save-handler')).to.equal(1);
      const again = new RecordingHandler('save-handler');
      await bus.subscribe(again);
      await bus.whenIdle();
      expect(again.received).to.deep.equal([event.correlationId]);
    });
  });

  describe('outcomes', () => {
    it('drops an event the handler is done with', async () => {
      bus = new InMemoryEventBus();
      const handler = new RecordingHandler('save-handler');
      await bus.subscribe(handler);
      await bus.publish(newProspectSignedUpEvent());
      await bus.whenIdle();
      expect(bus.size).to.equal(0);
      expect(bus.pending('save-handler')).to.equal(0);
      expect(bus.deadLetters).to.be.empty;
    });

    it('dead-letters a rejected event with the reason and the handler, logs it, and does not deliver it again', async () => {
      bus = new InMemoryEventBus({ logger });
      const rejected = newProspectSignedUpEvent();
      const handler = new RecordingHandler('save-handler', (event) => (event === rejected
        ? { status: 'rejected', reason: 'emailAddress: Please enter a valid email address.' }
        : { status: 'done' }));
      await bus.subscribe(handler);
      const fine = newProspectSignedUpEvent();
      await bus.publish(rejected);
      await bus.publish(fine);
      await bus.whenIdle();
      expect(bus.deadLetters).to.have.length(1);
      expect(bus.deadLetters[0]).to.include({
        event: rejected,
        reason: 'emailAddress: Please enter a valid email address.',
        handler: 'save-handler',
      });
      const line = logger.find('Dead-lettered', 'warn');
      expect(line?.message).to.include(rejected.correlationId).and.to.include('Please enter a valid email address.');
      expect(line?.fields).to.include({ handler: 'save-handler', correlationId: rejected.correlationId });
      expect(handler.received).to.deep.equal([rejected.correlationId, fine.correlationId]);
      expect(bus.size).to.equal(0);
    });

    it('keeps only the newest dead letters, as many as the capacity', async () => {
      bus = new InMemoryEventBus({ capacity: 2 });
      await bus.subscribe(new RecordingHandler('save-handler', () => ({ status: 'rejected', reason: 'bad' })));
      const events = [newProspectSignedUpEvent(), newProspectSignedUpEvent(), newProspectSignedUpEvent()];
      for (const event of events) {
        await bus.publish(event);
        await bus.whenIdle();
      }
      expect(bus.deadLetters.map((letter) => letter.event)).to.deep.equal(events.slice(1));
    });

    describe('with fake timers', () => {
      let clock: sinon.SinonFakeTimers;

      beforeEach(() => {
        clock = sinon.useFakeTimers();
      });

      afterEach(async () => {
        await bus.close();
        clock.restore();
      });

      it('redelivers an event the handler asks to retry after a growing delay, then the last delay forever', async () => {
        bus = new InMemoryEventBus({ logger });
        const deliveredAt: number[] = [];
        await bus.subscribe(new RecordingHandler('save-handler', (_event, attempt) => {
          deliveredAt.push(clock.now);
          return attempt <= 7 ? { status: 'retry', reason: 'Database unavailable' } : { status: 'done' };
        }));
        await bus.publish(newProspectSignedUpEvent());
        await clock.tickAsync(60_000);
        expect(deliveredAt).to.deep.equal([0, 100, 600, 2_600, 7_600, 17_600, 27_600, 37_600]);
        expect(bus.deadLetters).to.be.empty;
        expect(bus.size).to.equal(0);
        expect(logger.find('will retry 1 of 1 events later', 'warn')?.fields).to.include({ reason: 'Database unavailable' });
      });

      it('never dead-letters an event for retrying, however long it takes', async () => {
        bus = new InMemoryEventBus({ retryDelaysMs: [1_000] });
        const handler = new RecordingHandler('save-handler', () => ({ status: 'retry', reason: 'Database unavailable' }));
        await bus.subscribe(handler);
        const event = newProspectSignedUpEvent();
        await bus.publish(event);
        await clock.tickAsync(10 * 60_000);
        expect(handler.attempts.get(event.correlationId)).to.equal(601);
        expect(bus.deadLetters).to.be.empty;
        expect(bus.pending('save-handler')).to.equal(1);
      });

      it('does not deliver a retried event before its delay', async () => {
        bus = new InMemoryEventBus({ retryDelaysMs: [5_000] });
        const handler = new RecordingHandler('save-handler', (_event, attempt) =>
          (attempt === 1 ? { status: 'retry', reason: 'later' } : { status: 'done' }));
        await bus.subscribe(handler);
        await bus.publish(newProspectSignedUpEvent());
        await clock.tickAsync(4_999);
        expect(handler.batches).to.have.length(1);
        await clock.tickAsync(1);
        expect(handler.batches).to.have.length(2);
        expect(bus.size).to.equal(0);
      });

      it('retries the whole batch when the handler throws, and logs the failure', async () => {
        bus = new InMemoryEventBus({ logger });
        let calls = 0;
        const delivered: string[][] = [];
        await bus.subscribe({
          name: 'save-handler',
          handle: (events) => {
            delivered.push(events.map((event) => event.correlationId));
            calls += 1;
            if (calls === 1) return Promise.reject(new Error('connection reset'));
            return Promise.resolve(events.map((): EventOutcome => ({ status: 'done' })));
          },
        });
        const events = [newProspectSignedUpEvent(), newProspectSignedUpEvent()];
        await Promise.all(events.map((event) => bus.publish(event)));
        await clock.tickAsync(0);
        expect(delivered).to.have.length(1);
        await clock.tickAsync(100);
        expect(delivered).to.have.length(2);
        expect([...delivered[1]!].sort()).to.deep.equal(events.map((event) => event.correlationId).sort());
        expect(bus.deadLetters).to.be.empty;
        expect(bus.size).to.equal(0);
        const line = logger.find('failed; retrying its batch of 2 events', 'warn');
        expect(line?.fields.error).to.be.instanceOf(Error);
      });

      it('retries an event the handler returned no outcome for', async () => {
        bus = new InMemoryEventBus();
        let calls = 0;
        await bus.subscribe({
          name: 'save-handler',
          handle: (events) => {
            calls += 1;
            return Promise.resolve(calls === 1 ? [] : events.map((): EventOutcome => ({ status: 'done' })));
          },
        });
        await bus.publish(newProspectSignedUpEvent());
        await clock.tickAsync(100);
        expect(calls).to.equal(2);
        expect(bus.deadLetters).to.be.empty;
        expect(bus.size).to.equal(0);
      });
    });
  });

  describe('capacity', () => {
    it('refuses a publish when the buffer is full, with QueueUnavailableError, and keeps nothing of it', async () => {
      bus = new InMemoryEventBus({ capacity: 2 });
      await bus.publish(newProspectSignedUpEvent());
      await bus.publish(newProspectSignedUpEvent());
      const refused = newProspectSignedUpEvent();
      const error: unknown = await bus.publish(refused).then(() => undefined, (reason: unknown) => reason);
      expect(error).to.be.instanceOf(QueueUnavailableError);
      expect((error as QueueUnavailableError).transient).to.equal(true);
      expect(bus.size).to.equal(2);
      const handler = new RecordingHandler('save-handler');
      await bus.subscribe(handler);
      await bus.whenIdle();
      expect(handler.received).not.to.include(refused.correlationId);
    });

    it('takes events again once handlers have finished some', async () => {
      bus = new InMemoryEventBus({ capacity: 1 });
      await bus.subscribe(new RecordingHandler('save-handler'));
      await bus.publish(newProspectSignedUpEvent());
      await bus.whenIdle();
      await bus.publish(newProspectSignedUpEvent());
      expect(bus.size).to.equal(1);
    });

    it('accepts a duplicate of a buffered event even when full', async () => {
      bus = new InMemoryEventBus({ capacity: 1 });
      const event = newProspectSignedUpEvent();
      await bus.publish(event);
      await bus.publish(event);
      expect(bus.size).to.equal(1);
    });

    it('refuses options that make no sense', () => {
      bus = new InMemoryEventBus();
      expect(() => new InMemoryEventBus({ capacity: 0 })).to.throw(RangeError, /capacity/);
      expect(() => new InMemoryEventBus({ batchSize: 1.5 })).to.throw(RangeError, /batchSize/);
      expect(() => new InMemoryEventBus({ retryDelaysMs: [] })).to.throw(RangeError, /retryDelaysMs/);
      expect(() => new InMemoryEventBus({ retryDelaysMs: [-1] })).to.throw(RangeError, /retryDelaysMs/);
    });
  });

  describe('subscriptions', () => {
    it('reports healthy while running and not after stop', async () => {
      bus = new InMemoryEventBus();
      const subscription = await bus.subscribe(new RecordingHandler('save-handler'));
      expect(subscription.healthy).to.equal(true);
      await subscription.stop();
      expect(subscription.healthy).to.equal(false);
    });

    it('finishes the batch in hand on stop, then takes no more events', async () => {
      bus = new InMemoryEventBus();
      const started = deferred();
      const gate = deferred();
      const handled: string[] = [];
      const subscription = await bus.subscribe({
        name: 'save-handler',
        handle: async (events) => {
          started.resolve();
          await gate.promise;
          handled.push(...events.map((event) => event.correlationId));
          return events.map((): EventOutcome => ({ status: 'done' }));
        },
      });
      const first = newProspectSignedUpEvent();
      await bus.publish(first);
      await started.promise;

      let stopped = false;
      const stopping = subscription.stop().then(() => {
        stopped = true;
      });
      await new Promise((resolve) => setImmediate(resolve));
      expect(stopped).to.equal(false);

      gate.resolve();
      await stopping;
      expect(handled).to.deep.equal([first.correlationId]);
      expect(bus.size).to.equal(0);

      await bus.publish(newProspectSignedUpEvent());
      await bus.whenIdle();
      expect(handled).to.have.length(1);
      expect(bus.pending('save-handler')).to.equal(1);
    });

    it('resolves stop at once when no batch is in hand, and again when called twice', async () => {
      bus = new InMemoryEventBus();
      const subscription = await bus.subscribe(new RecordingHandler('save-handler'));
      await subscription.stop();
      await subscription.stop();
      expect(subscription.healthy).to.equal(false);
    });

    it('refuses a handler without a name', async () => {
      bus = new InMemoryEventBus();
      const error: unknown = await bus.subscribe(new RecordingHandler('')).then(() => undefined, (reason: unknown) => reason);
      expect(error).to.be.instanceOf(TypeError);
    });
  });

  describe('close', () => {
    it('waits for batches in hand, then refuses publishes and subscriptions', async () => {
      bus = new InMemoryEventBus();
      const started = deferred();
      const gate = deferred();
      let finished = false;
      const subscription = await bus.subscribe({
        name: 'save-handler',
        handle: async (events) => {
          started.resolve();
          await gate.promise;
          finished = true;
          return events.map((): EventOutcome => ({ status: 'done' }));
        },
      });
      await bus.publish(newProspectSignedUpEvent());
      await started.promise;
      const closing = bus.close();
      gate.resolve();
      await closing;
      expect(finished).to.equal(true);
      expect(subscription.healthy).to.equal(false);
      const publishError: unknown = await bus.publish(newProspectSignedUpEvent()).then(() => undefined, (reason: unknown) => reason);
      expect(publishError).to.be.instanceOf(QueueUnavailableError);
      const subscribeError: unknown = await bus.subscribe(new RecordingHandler('x')).then(() => undefined, (reason: unknown) => reason);
      expect(subscribeError).to.be.instanceOf(QueueUnavailableError);
    });

    it('cancels redeliveries that were waiting for their delay', async () => {
      const clock = sinon.useFakeTimers();
      try {
        bus = new InMemoryEventBus();
        const handler = new RecordingHandler('save-handler', () => ({ status: 'retry', reason: 'later' }));
        await bus.subscribe(handler);
        await bus.publish(newProspectSignedUpEvent());
        await clock.tickAsync(0);
        await bus.close();
        expect(clock.countTimers()).to.equal(0);
        await clock.tickAsync(60_000);
        expect(handler.batches).to.have.length(1);
      } finally {
        clock.restore();
      }
    });
  });
});
