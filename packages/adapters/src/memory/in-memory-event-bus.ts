import {
  type IEventPublisher, type IEventSubscriber, type ILogger, type IProspectEventHandler, type ISubscription, type ProspectSignedUpEvent, QueueUnavailableError,
} from '@signup/domain';
import { PROSPECT_SIGNED_UP_SUBJECT } from '../messaging/event-subjects.js';
import type { InboundMessage } from '../messaging/inbound-message.js';
import { settleBatch } from '../messaging/settle-batch.js';
import type { MessagingTracer } from '../tracing/messaging-tracer.js';
import { extractTraceContextFromRecord, traceContextRecord, type TraceContextRecord } from '../tracing/trace-context-propagation.js';

/** Options of an `InMemoryEventBus`. */
export interface InMemoryEventBusOptions {
  /** How many events may wait before `publish` refuses more. Default 10000. */
  readonly capacity?: number;
  /** The most events handed to a handler in one call. Default 100. */
  readonly batchSize?: number;
  /** Delay before the n-th redelivery of an event a handler asked to retry; the last one repeats forever. */
  readonly retryDelaysMs?: readonly number[];
  /** Where subscriptions, dead letters and retries are logged. */
  readonly logger?: ILogger;
  /**
   * Tracing on: `publish` keeps the active trace context with the event, and subscribers make
   * each message's receive and process spans under it, and a batch span. See docs/observability.md.
   */
  readonly tracer?: MessagingTracer | undefined;
}

/** An event a handler rejected, kept in memory with the reason and the handler's name (the NATS adapter's `DeadLetter` is a stored message). */
export interface InMemoryDeadLetter {
  readonly event: ProspectSignedUpEvent;
  readonly reason: string;
  readonly handler: string;
  readonly deadLetteredAt: Date;
}

/** The defaults of `InMemoryEventBusOptions`. */
export const IN_MEMORY_EVENT_BUS_DEFAULTS = Object.freeze({
  capacity: 10_000,
  batchSize: 100,
  retryDelaysMs: Object.freeze<readonly number[]>([100, 500, 2_000, 5_000, 10_000]),
});

interface Entry {
  readonly event: ProspectSignedUpEvent;
  /** The publisher's trace context, kept only when tracing. */
  readonly traceContext: TraceContextRecord | undefined;
  /** Consumer groups that still have to finish the event. */
  unfinished: number;
}

interface Delivery {
  readonly entry: Entry;
  attempts: number;
}

interface Member {
  readonly handler: IProspectEventHandler;
  readonly group: Group;
  running: boolean;
  batch: Promise<void> | undefined;
  stopping: Promise<void> | undefined;
}

interface Group {
  readonly name: string;
  readonly ready: Delivery[];
  readonly members: Member[];
  delayed: number;
  /** Deliveries waiting for a redelivery, by when they are due. */
  readonly due: Map<number, Delivery[]>;
  inFlight: number;
  pumpScheduled: boolean;
}

const SILENT: ILogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function checkPositiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer, not ${value}`);
  return value;
}

function checkDelays(delays: readonly number[]): readonly number[] {
  if (delays.length === 0 || delays.some((delay) => !Number.isFinite(delay) || delay < 0)) {
    throw new RangeError('retryDelaysMs must list at least one delay, each zero or more milliseconds');
  }
  return Object.freeze([...delays]);
}

/**
 * The in-process event bus: what the all-in-one host and unit tests use instead
 * of NATS, with the same delivery rules as the JetStream subscriber.
 *
 * - `publish` buffers the event and resolves; when `capacity` events are already
 *   waiting it throws `QueueUnavailableError` and keeps nothing. An event whose
 *   `correlationId` is still buffered is not buffered again.
 * - Each distinct handler name is a consumer group that gets every event;
 *   subscriptions with the same name share their group's events. A group lives
 *   for the bus's lifetime, so events published while its handlers are stopped
 *   wait for them; a group's first subscription also receives the events the bus
 *   still holds.
 * - Handlers get batches of up to `batchSize` events, one batch at a time per
 *   subscription. `done` drops the event; `rejected` keeps it in `deadLetters`
 *   (the newest `capacity` of them) and logs it; `retry`, a missing outcome, or a
 *   thrown error redelivers after the next of `retryDelaysMs` — never dead-lettered.
 *   These rules are `settleBatch`'s, shared with the NATS subscribers; the
 *   `eventBusContract` suite of `@signup/test-support` holds all three to them.
 */
export class InMemoryEventBus implements IEventPublisher, IEventSubscriber {
  /** Events handlers rejected, oldest first. */
  readonly deadLetters: InMemoryDeadLetter[] = [];
  readonly capacity: number;
  readonly batchSize: number;
  readonly retryDelaysMs: readonly number[];

  private readonly logger: ILogger | undefined;
  private readonly tracer: MessagingTracer | undefined;
  private readonly retained = new Map<string, Entry>();
  private readonly groups = new Map<string, Group>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly batches = new Set<Promise<void>>();
  private idleWaiters: (() => void)[] = [];
  private closed = false;

  constructor(options: InMemoryEventBusOptions = {}) {
    this.capacity = checkPositiveInteger('capacity', options.capacity ?? IN_MEMORY_EVENT_BUS_DEFAULTS.capacity);
    this.batchSize = checkPositiveInteger('batchSize', options.batchSize ?? IN_MEMORY_EVENT_BUS_DEFAULTS.batchSize);
    this.retryDelaysMs = checkDelays(options.retryDelaysMs ?? IN_MEMORY_EVENT_BUS_DEFAULTS.retryDelaysMs);
    this.logger = options.logger;
    this.tracer = options.tracer;
  }

  /** How many events are buffered: not yet finished by every consumer group. */
  get size(): number {
    return this.retained.size;
  }

  /** How many events the named handler's group has not finished (waiting, in hand, or due for redelivery). */
  pending(handlerName: string): number {
    const group = this.groups.get(handlerName);
    return group === undefined ? 0 : group.ready.length + group.delayed + group.inFlight;
  }

  /**
   * Buffers the event for every consumer group.
   *
   * @throws QueueUnavailableError when the bus is full or closed; nothing was buffered.
   */
  publish(event: ProspectSignedUpEvent): Promise<void> {
    return new Promise((resolve) => {
      this.enqueue(event);
      resolve();
    });
  }

  /**
   * Starts delivering to the handler as a member of the consumer group named
   * after `handler.name`.
   *
   * @throws QueueUnavailableError when the bus is closed.
   */
  subscribe(handler: IProspectEventHandler): Promise<ISubscription> {
    return new Promise((resolve) => {
      resolve(this.join(handler));
    });
  }

  /**
   * Resolves once every running subscription has nothing to deliver and no batch
   * in hand. Redeliveries still waiting for their delay do not count.
   */
  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
    });
  }

  /**
   * Stops every subscription (the batches in hand finish first), cancels pending
   * redeliveries and drops what is buffered. Later publishes and subscribes fail.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const group of this.groups.values()) {
      for (const member of group.members) member.running = false;
    }
    await Promise.all([...this.batches]);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.retained.clear();
    this.groups.clear();
    this.notifyIfIdle();
  }

  private enqueue(event: ProspectSignedUpEvent): void {
    if (this.closed) throw new QueueUnavailableError('The in-process event bus is closed; nothing was queued.');
    if (typeof event.correlationId !== 'string') throw new TypeError('The event has no correlationId');
    if (this.retained.has(event.correlationId)) return;
    if (this.retained.size >= this.capacity) {
      throw new QueueUnavailableError(`The in-process event bus is full (${this.capacity} events waiting); nothing was queued.`);
    }
    const entry: Entry = { event, traceContext: this.tracer === undefined ? undefined : traceContextRecord(), unfinished: this.groups.size };
    this.retained.set(event.correlationId, entry);
    for (const group of this.groups.values()) {
      group.ready.push({ entry, attempts: 0 });
      this.schedule(group);
    }
  }

  private join(handler: IProspectEventHandler): ISubscription {
    if (this.closed) throw new QueueUnavailableError('The in-process event bus is closed; cannot subscribe.');
    if (typeof handler.name !== 'string' || handler.name === '') throw new TypeError('The handler needs a name to subscribe');
    let group = this.groups.get(handler.name);
    if (group === undefined) {
      group = { name: handler.name, ready: [], members: [], delayed: 0, due: new Map(), inFlight: 0, pumpScheduled: false };
      for (const entry of this.retained.values()) {
        entry.unfinished += 1;
        group.ready.push({ entry, attempts: 0 });
      }
      this.groups.set(handler.name, group);
    }
    const member: Member = { handler, group, running: true, batch: undefined, stopping: undefined };
    group.members.push(member);
    this.logger?.info(`Listening on subject: ${PROSPECT_SIGNED_UP_SUBJECT}, queue: ${handler.name}`);
    this.schedule(group);
    const isClosed = (): boolean => this.closed;
    return {
      get healthy(): boolean {
        return member.running && !isClosed();
      },
      stop: () => this.leave(member),
    };
  }

  private leave(member: Member): Promise<void> {
    member.stopping ??= (async () => {
      member.running = false;
      const { members } = member.group;
      members.splice(members.indexOf(member), 1);
      await member.batch;
      this.notifyIfIdle();
    })();
    return member.stopping;
  }

  // Delivery waits a turn of the event loop so events published together go out in one batch.
  private schedule(group: Group): void {
    if (group.pumpScheduled) return;
    group.pumpScheduled = true;
    setImmediate(() => {
      group.pumpScheduled = false;
      this.pump(group);
    });
  }

  private pump(group: Group): void {
    if (this.closed) return;
    for (const member of group.members) {
      if (group.ready.length === 0) break;
      if (!member.running || member.batch !== undefined) continue;
      const deliveries = group.ready.splice(0, this.batchSize);
      const batch = this.deliver(member, deliveries).finally(() => {
        member.batch = undefined;
        this.batches.delete(batch);
        this.pump(group);
      });
      member.batch = batch;
      this.batches.add(batch);
    }
    this.notifyIfIdle();
  }

  private async deliver(member: Member, deliveries: Delivery[]): Promise<void> {
    const { group } = member;
    group.inFlight += deliveries.length;
    for (const delivery of deliveries) delivery.attempts += 1;
    try {
      await settleBatch(deliveries.map((delivery) => this.inbound(group, delivery)), {
        handler: member.handler, logger: this.logger ?? SILENT, retryDelaysMs: this.retryDelaysMs, tracer: this.tracer,
      });
    } finally {
      group.inFlight -= deliveries.length;
    }
  }

  // The bus keeps the event until the group finishes it: acked or dead-lettered, it is finished; a retry waits in the group.
  private inbound(group: Group, delivery: Delivery): InboundMessage {
    const { event } = delivery.entry;
    return {
      deliveryCount: delivery.attempts,
      label: `event ${event.correlationId}`,
      decode: () => event,
      ack: () => this.finish(delivery),
      redeliverLater: (delayMs) => this.redeliverLater(group, delivery, delayMs),
      publishDeadLetter: (reason) => {
        this.deadLetters.push({ event, reason, handler: group.name, deadLetteredAt: new Date() });
        if (this.deadLetters.length > this.capacity) this.deadLetters.shift();
        return Promise.resolve();
      },
      term: () => this.finish(delivery),
      traceContext: () => ({ messageId: event.correlationId, parent: extractTraceContextFromRecord(delivery.entry.traceContext) }),
    };
  }

  private finish(delivery: Delivery): void {
    const { entry } = delivery;
    entry.unfinished -= 1;
    if (entry.unfinished <= 0 && this.retained.get(entry.event.correlationId) === entry) {
      this.retained.delete(entry.event.correlationId);
    }
  }

  private redeliverLater(group: Group, delivery: Delivery, delayMs: number): void {
    if (this.closed) return;
    group.delayed += 1;
    // Redeliveries due at the same moment share a timer, so they go out together as one batch.
    const dueAt = Date.now() + delayMs;
    const due = group.due.get(dueAt);
    if (due !== undefined) {
      due.push(delivery);
      return;
    }
    const deliveries = [delivery];
    group.due.set(dueAt, deliveries);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      group.due.delete(dueAt);
      group.delayed -= deliveries.length;
      group.ready.push(...deliveries);
      this.pump(group);
    }, delayMs);
    this.timers.add(timer);
  }

  private isIdle(): boolean {
    if (this.closed) return true;
    if (this.batches.size > 0) return false;
    for (const group of this.groups.values()) {
      if (group.members.some((member) => member.running) && (group.ready.length > 0 || group.pumpScheduled)) return false;
    }
    return true;
  }

  private notifyIfIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
