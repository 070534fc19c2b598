import { randomUUID } from 'node:crypto';
import type {
  EventOutcome, IEventPublisher, IEventSubscriber, IProspectEventHandler, ISubscription, ProspectSignedUpEvent,
} from '@signup/domain';
import { expect } from 'chai';
import { after, afterEach, before, describe, it } from 'mocha';
import { newProspectSignedUpEvent } from './test-events.js';
import { waitUntil } from './wait-until.js';

/** What a bus can promise, so the suite expects of each exactly what it guarantees. */
export interface EventBusCapabilities {
  /**
   * Events wait for a handler that has no running subscription (JetStream, the in-memory bus).
   * Core NATS stores nothing: an event reaches only the subscriptions listening when it is
   * published, and a transient retry waits in the subscribing process, which hands it back to
   * the group by publishing it again when it stops. With `false` the suite starts a second
   * subscription before it stops the first, instead of after.
   */
  readonly durable: boolean;
}

/** A dead letter as the bus under test lets it be observed. */
export interface ObservedDeadLetter {
  readonly handler: string;
  readonly reason: string;
  /** The dead-lettered event's correlation id, where the dead letter carries it. */
  readonly correlationId?: string;
}

/** A bus to run the contract against, and how to clean it up. */
export interface EventBusUnderTest {
  readonly publisher: IEventPublisher;
  readonly subscriber: IEventSubscriber;
  readonly capabilities: EventBusCapabilities;
  /** The dead letters published since the bus was made, oldest first. */
  deadLetters(): Promise<readonly ObservedDeadLetter[]>;
  close(): Promise<void>;
}

type Decide = (event: ProspectSignedUpEvent, seen: number) => EventOutcome | 'throw';

/**
 * A handler that records what it is given of the test's own `events` and answers for them with
 * `decide`; other events (a durable bus replays earlier tests' events to a new handler) are done
 * at once. `hold` keeps every batch with one of the test's events in hand until `letGo`.
 */
class ContractHandler implements IProspectEventHandler {
  readonly received: string[] = [];
  readonly done: string[] = [];
  private readonly seen = new Map<string, number>();
  private held: Promise<void> | undefined;
  private release: () => void = () => undefined;

  private readonly mine: ReadonlySet<string>;

  constructor(readonly name: string, events: readonly ProspectSignedUpEvent[], private readonly decide: Decide = () => ({ status: 'done' })) {
    this.mine = new Set(ids(events));
  }

  hold(): void {
    this.held = new Promise((resolve) => {
      this.release = resolve;
    });
  }

  letGo(): void {
    this.held = undefined;
    this.release();
  }

  count(correlationId: string): number {
    return this.seen.get(correlationId) ?? 0;
  }

  async handle(events: readonly ProspectSignedUpEvent[]): Promise<EventOutcome[]> {
    const answers = events.map((event): EventOutcome | 'throw' => {
      if (!this.mine.has(event.correlationId)) return { status: 'done' };
      const seen = this.count(event.correlationId) + 1;
      this.seen.set(event.correlationId, seen);
      this.received.push(event.correlationId);
      return this.decide(event, seen);
    });
    const minePresent = events.some((event) => this.mine.has(event.correlationId));
    if (this.held !== undefined && minePresent) await this.held;
    if (answers.includes('throw')) throw new Error('The handler failed for a passing reason.');
    const outcomes = answers as EventOutcome[];
    events.forEach((event, index) => {
      if (this.mine.has(event.correlationId) && outcomes[index]?.status === 'done') this.done.push(event.correlationId);
    });
    return outcomes;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function ids(events: readonly ProspectSignedUpEvent[]): string[] {
  return events.map((event) => event.correlationId);
}

/**
 * The behaviour every `IEventSubscriber` (with its `IEventPublisher`) must have, as a
 * mocha suite: each named handler gets every event, instances of one handler share
 * them, a transient failure is delivered again, a rejected event is dead-lettered
 * with its reason, and a graceful stop settles what is in hand and loses nothing.
 * `make` runs once for the suite; each test subscribes handlers under fresh names.
 * Give the bus short retry delays (a few hundred ms at most) and small batches.
 */
export function eventBusContract(name: string, make: () => Promise<EventBusUnderTest>): void {
  describe(`${name} (IEventSubscriber contract)`, function () {
    this.timeout(30_000);
    let bus: EventBusUnderTest | undefined;
    const subscriptions: ISubscription[] = [];
    const prefix = `contract-${randomUUID().slice(0, 8)}`;
    let handlers = 0;

    const handlerName = (): string => `${prefix}-${(handlers += 1)}`;
    const subscribe = async (handler: IProspectEventHandler): Promise<ISubscription> => {
      const subscription = await bus!.subscriber.subscribe(handler);
      subscriptions.push(subscription);
      return subscription;
    };
    const publish = async (events: readonly ProspectSignedUpEvent[]): Promise<void> => {
      for (const event of events) await bus!.publisher.publish(event);
    };
    const newEvents = (count: number): ProspectSignedUpEvent[] => Array.from({ length: count }, () => newProspectSignedUpEvent());
    const deadLettersOf = async (handler: string): Promise<ObservedDeadLetter[]> =>
      (await bus!.deadLetters()).filter((letter) => letter.handler === handler);

    before(async function () {
      bus = await make();
    });

    afterEach(async function () {
      await Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop()));
    });

    after(async function () {
      await bus?.close();
    });

    it('gives every named handler its own copy of every event', async function () {
      const events = newEvents(5);
      const first = new ContractHandler(handlerName(), events);
      const second = new ContractHandler(handlerName(), events);
      await subscribe(first);
      await subscribe(second);

      await publish(events);

      await waitUntil(() => first.done.length >= 5 && second.done.length >= 5, { description: 'both handlers to finish all 5 events' });
      expect([...first.done].sort()).to.deep.equal(ids(events).sort());
      expect([...second.done].sort()).to.deep.equal(ids(events).sort());
    });

    it('shares the events between the subscriptions of one handler, each event handled by one of them', async function () {
      const name = handlerName();
      const candidates = newEvents(40);
      const first = new ContractHandler(name, candidates);
      const second = new ContractHandler(name, candidates);
      // A subscription holds what it was given, so the next events must go to the other one.
      first.hold();
      second.hold();
      await subscribe(first);
      await subscribe(second);

      const events: ProspectSignedUpEvent[] = [];
      for (const event of candidates) {
        if (first.received.length > 0 && second.received.length > 0) break;
        await publish([event]);
        events.push(event);
        await sleep(20);
      }
      first.letGo();
      second.letGo();

      await waitUntil(() => first.done.length + second.done.length >= events.length, { description: `all ${events.length} events` });
      await sleep(300);
      expect(first.done.length, 'the first subscription handled some').to.be.greaterThan(0);
      expect(second.done.length, 'the second subscription handled some').to.be.greaterThan(0);
      expect([...first.done, ...second.done].sort(), 'each event once').to.deep.equal(ids(events).sort());
    });

    it('delivers an event again after the handler answered retry, and never dead-letters it', async function () {
      const [event] = newEvents(1);
      const handler = new ContractHandler(handlerName(), [event!], (_event, seen) => (seen < 3
        ? { status: 'retry', reason: 'The database is not reachable.' }
        : { status: 'done' }));
      await subscribe(handler);

      await publish([event!]);

      await waitUntil(() => handler.done.includes(event!.correlationId), { description: 'the third delivery to succeed' });
      expect(handler.count(event!.correlationId)).to.equal(3);
      expect(await deadLettersOf(handler.name)).to.deep.equal([]);
    });

    it('delivers a batch again when the handler threw', async function () {
      const [event] = newEvents(1);
      const handler = new ContractHandler(handlerName(), [event!], (_event, seen) => (seen === 1 ? 'throw' : { status: 'done' }));
      await subscribe(handler);

      await publish([event!]);

      await waitUntil(() => handler.done.includes(event!.correlationId), { description: 'the redelivery to succeed' });
      expect(handler.count(event!.correlationId)).to.equal(2);
      expect(await deadLettersOf(handler.name)).to.deep.equal([]);
    });

    it('dead-letters a rejected event with the reason and the handler, once, and goes on with the next', async function () {
      const reason = 'countryCode: Please choose a country from the list.';
      const [rejected, next] = newEvents(2) as [ProspectSignedUpEvent, ProspectSignedUpEvent];
      const handler = new ContractHandler(handlerName(), [rejected, next], (event) => (event.correlationId === rejected.correlationId
        ? { status: 'rejected', reason }
        : { status: 'done' }));
      await subscribe(handler);

      await publish([rejected, next]);

      await waitUntil(() => handler.done.includes(next.correlationId), { description: 'the next event' });
      await waitUntil(async () => (await deadLettersOf(handler.name)).length > 0, { description: 'the dead letter' });
      await sleep(500);
      const letters = await deadLettersOf(handler.name);
      expect(letters).to.have.length(1);
      expect(letters[0]!.reason).to.equal(reason);
      if (letters[0]!.correlationId !== undefined) expect(letters[0]!.correlationId).to.equal(rejected.correlationId);
      expect(handler.count(rejected.correlationId), 'a dead letter is not delivered again').to.equal(1);
    });

    it('finishes and settles the batch in hand when stopped, and loses nothing it did not finish', async function () {
      const name = handlerName();
      const [inHand, ...waiting] = newEvents(6) as [ProspectSignedUpEvent, ...ProspectSignedUpEvent[]];
      const stopping = new ContractHandler(name, [inHand, ...waiting]);
      const successor = new ContractHandler(name, [inHand, ...waiting]);
      stopping.hold();
      const subscription = await subscribe(stopping);
      await publish([inHand]);
      await waitUntil(() => stopping.received.length > 0, { description: 'the batch in hand' });
      if (!bus!.capabilities.durable) await subscribe(successor);
      await publish(waiting);

      let stopped = false;
      const stop = subscription.stop().then(() => {
        stopped = true;
      });
      await sleep(200);
      expect(stopped, 'stop() waits for the batch in hand').to.equal(false);
      stopping.letGo();
      await stop;
      const finishedBeforeStop = [...stopping.done];
      const receivedBeforeStop = stopping.received.length;
      if (bus!.capabilities.durable) await subscribe(successor);

      const all = [inHand, ...waiting];
      await waitUntil(() => all.every((event) => stopping.done.includes(event.correlationId) || successor.done.includes(event.correlationId)),
        { description: 'every event finished by one of the two subscriptions' });
      await sleep(300);
      expect(finishedBeforeStop, 'the batch in hand was finished').to.include(inHand.correlationId);
      expect(stopping.received.length, 'nothing new after stop()').to.equal(receivedBeforeStop);
      expect(successor.received.filter((id) => finishedBeforeStop.includes(id)), 'what was finished was acknowledged').to.deep.equal([]);
    });

    it('hands an event waiting for a retry to another subscription when stopped', async function () {
      const name = handlerName();
      const [event] = newEvents(1);
      const stopping = new ContractHandler(name, [event!], () => ({ status: 'retry', reason: 'The database is not reachable.' }));
      const successor = new ContractHandler(name, [event!]);
      const subscription = await subscribe(stopping);
      await publish([event!]);
      await waitUntil(() => stopping.count(event!.correlationId) > 0, { description: 'the first delivery' });

      if (!bus!.capabilities.durable) await subscribe(successor);
      await subscription.stop();
      if (bus!.capabilities.durable) await subscribe(successor);

      await waitUntil(() => successor.done.includes(event!.correlationId), { description: 'the other subscription to finish the event' });
      expect(await deadLettersOf(name)).to.deep.equal([]);
    });
  });
}
