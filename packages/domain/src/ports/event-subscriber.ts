import type { ProspectSignedUpEvent } from '../events/prospect-signed-up-event.js';

/** What a handler made of one event. */
export type EventOutcome =
  /** Done: acknowledge. `prospectId` is set by handlers that stored a row. */
  | { readonly status: 'done'; readonly prospectId?: number }
  /** Can never succeed (invalid, unknown reference code): dead-letter with the reason. */
  | { readonly status: 'rejected'; readonly reason: string }
  /** Failed for a passing reason (database down): redeliver later, never dead-letter for it. */
  | { readonly status: 'retry'; readonly reason: string };

/**
 * Handles signed-up events in batches. Called by a subscriber with the events it
 * received; returns one outcome per event, in order. Must not throw for a single
 * bad event; a thrown error means "retry the whole batch".
 */
export interface IProspectEventHandler {
  /** The handler's name: the durable consumer / queue group it subscribes as (`save-handler`). */
  readonly name: string;
  handle(events: readonly ProspectSignedUpEvent[]): Promise<EventOutcome[]>;
}

/** A running subscription. */
export interface ISubscription {
  /** False while the subscription is stalled (disconnected, consumer lost); drives readiness. */
  readonly healthy: boolean;
  /** Stops taking new messages, lets the batch in hand finish and be acknowledged, then resolves. */
  stop(): Promise<void>;
}

/**
 * Delivers events to a handler. Decoding failures and `rejected` outcomes go to the
 * dead-letter subject with the reason; `retry` outcomes are redelivered after a
 * growing delay; `done` outcomes are acknowledged. Nothing is acknowledged before
 * the handler reports it done.
 */
export interface IEventSubscriber {
  subscribe(handler: IProspectEventHandler): Promise<ISubscription>;
}
export const IEventSubscriber: unique symbol = Symbol.for('signup.IEventSubscriber');
