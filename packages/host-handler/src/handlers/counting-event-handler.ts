import type { EventOutcome, IProspectEventHandler, ProspectSignedUpEvent } from '@signup/domain';

/**
 * How an event ended, as counted in `message_handler_events_total{status}`: the outcome
 * the handler gave it (`done`, `rejected` = dead-lettered, `retry`), true for every handler.
 */
export type CountedStatus = EventOutcome['status'];

/** The part of a prometheus counter the decorator needs. */
export interface EventCounter {
  inc(labels: { handler: string; status: CountedStatus }, value: number): void;
}

/** The part of a prometheus histogram the decorator needs. */
export interface HandlerObserver {
  observe(labels: { handler: string }, value: number): void;
}

/** The histograms of `signup_handler_batch_size`, `signup_handler_batch_duration_seconds` and `signup_publish_to_commit_seconds`. */
export interface BatchHistograms {
  readonly batchSize: HandlerObserver;
  readonly batchDuration: HandlerObserver;
  readonly publishToCommit: HandlerObserver;
}

/**
 * Decorates a handler and counts what became of each event it was given, by its
 * outcome (`done`, `rejected`, `retry`). A batch the
 * inner handler throws on is counted as `retry` and the error is rethrown
 * unchanged. Outcomes are returned as the inner handler produced them. With
 * `histograms`, it also observes each batch's size and duration (failed batches
 * too) and, for each `done` event, the time from its `signedUpAt` to the batch's end.
 */
export class CountingEventHandler implements IProspectEventHandler {
  constructor(
    private readonly inner: IProspectEventHandler,
    private readonly counter: EventCounter,
    private readonly histograms?: BatchHistograms,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  async handle(events: readonly ProspectSignedUpEvent[]): Promise<EventOutcome[]> {
    const labels = { handler: this.inner.name };
    const started = process.hrtime.bigint();
    let outcomes: EventOutcome[];
    try {
      outcomes = await this.inner.handle(events);
    } catch (error) {
      this.count('retry', events.length);
      throw error;
    } finally {
      this.histograms?.batchSize.observe(labels, events.length);
      this.histograms?.batchDuration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    }
    const committedAt = Date.now();
    const tally: Record<CountedStatus, number> = { done: 0, rejected: 0, retry: 0 };
    outcomes.forEach((outcome, index) => {
      tally[outcome.status] += 1;
      const signedUpAt = events[index]?.signedUpAt;
      if (outcome.status === 'done' && signedUpAt !== undefined && this.histograms !== undefined) {
        this.histograms.publishToCommit.observe(labels, Math.max(0, committedAt - signedUpAt.getTime()) / 1000);
      }
    });
    for (const status of Object.keys(tally) as CountedStatus[]) this.count(status, tally[status]);
    return outcomes;
  }

  private count(status: CountedStatus, value: number): void {
    if (value > 0) this.counter.inc({ handler: this.inner.name, status }, value);
  }
}
