import type { EventOutcome, IProspectEventHandler, ProspectSignedUpEvent } from '@signup/domain';

/** Decides a fake handler's outcome for one event, given how often the handler has seen it (1 = first time). */
export type Decide = (event: ProspectSignedUpEvent, seen: number) => EventOutcome | Promise<EventOutcome>;

/** A handler for subscriber tests: records every batch and answers with `decide` (default: done). */
export class FakeHandler implements IProspectEventHandler {
  readonly batches: ProspectSignedUpEvent[][] = [];
  readonly deliveries: { correlationId: string; at: number }[] = [];
  private readonly seen = new Map<string, number>();
  /** When set, the next `handle` call awaits it before answering. */
  gate: Promise<void> | undefined;
  /** When set, the next `handle` call throws it. */
  failNext: Error | undefined;

  constructor(readonly name: string, private readonly decide: Decide = () => ({ status: 'done' })) {}

  async handle(events: readonly ProspectSignedUpEvent[]): Promise<EventOutcome[]> {
    this.batches.push([...events]);
    for (const event of events) {
      this.seen.set(event.correlationId, (this.seen.get(event.correlationId) ?? 0) + 1);
      this.deliveries.push({ correlationId: event.correlationId, at: Date.now() });
    }
    const gate = this.gate;
    this.gate = undefined;
    if (gate !== undefined) await gate;
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure !== undefined) throw failure;
    return Promise.all(events.map(async (event) => this.decide(event, this.seen.get(event.correlationId) ?? 1)));
  }

  /** How many times the handler was given the event. */
  count(correlationId: string): number {
    return this.seen.get(correlationId) ?? 0;
  }

  /** Every correlation id handed over, in order, with repeats. */
  get received(): string[] {
    return this.batches.flat().map((event) => event.correlationId);
  }
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A promise with its resolve function, for gating a handler. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
