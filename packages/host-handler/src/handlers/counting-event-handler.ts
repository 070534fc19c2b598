import type { EventOutcome, IProspectEventHandler, ProspectSignedUpEvent } from '@signup/domain';

/** How an event ended, as counted in `message_handler_events{status}`. */
export type CountedStatus = 'saved' | 'rejected' | 'retried';

/** The part of a prometheus counter the decorator needs. */
export interface EventCounter {
  inc(labels: { handler: string; status: CountedStatus }, value: number): void;
}

const STATUS: Record<EventOutcome['status'], CountedStatus> = { done: 'saved', rejected: 'rejected', retry: 'retried' };

/**
 * Decorates a handler and counts what became of each event it was given:
 * `done` as `saved`, `rejected` as `rejected`, `retry` as `retried`. A batch the
 * inner handler throws on is counted as retried and the error is rethrown
 * unchanged. Outcomes are returned as the inner handler produced them.
 */
export class CountingEventHandler implements IProspectEventHandler {
  constructor(
    private readonly inner: IProspectEventHandler,
    private readonly counter: EventCounter,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  async handle(events: readonly ProspectSignedUpEvent[]): Promise<EventOutcome[]> {
    let outcomes: EventOutcome[];
    try {
      outcomes = await this.inner.handle(events);
    } catch (error) {
      this.count('retried', events.length);
      throw error;
    }
    const tally: Record<CountedStatus, number> = { saved: 0, rejected: 0, retried: 0 };
    for (const outcome of outcomes) tally[STATUS[outcome.status]] += 1;
    for (const status of Object.keys(tally) as CountedStatus[]) this.count(status, tally[status]);
    return outcomes;
  }

  private count(status: CountedStatus, value: number): void {
    if (value > 0) this.counter.inc({ handler: this.inner.name, status }, value);
  }
}
