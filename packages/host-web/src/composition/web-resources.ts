import type { IEventSubscriber, ILogger, IHealthCheck, IProspectEventHandler, ISubscription } from '@signup/domain';
import type { OpenedAnalyticsStore } from '@signup/adapters/di';
import type { InMemoryEventBus } from '@signup/adapters/memory';
import type { NatsConnection } from '@signup/adapters/nats';
import type { SqlConnection } from '@signup/adapters/sql';

/**
 * What the web host opened: the database pool, the analytics store, the NATS connection
 * or the in-process bus and the handlers subscribed to it (by name). Released in reverse
 * order of opening; each step is tried even when an earlier one failed.
 */
export class WebResources {
  knex: SqlConnection | undefined;
  analytics: OpenedAnalyticsStore | undefined;
  nats: NatsConnection | undefined;
  bus: InMemoryEventBus | undefined;
  /** The outbox relay; stopped first, before what it publishes through. */
  outboxRelay: { stop(): Promise<void> } | undefined;
  readonly subscriptions = new Map<string, ISubscription>();
  private released: Promise<void> | undefined;

  constructor(private readonly logger: ILogger) {}

  /** Subscribes each handler under its own name (its consumer group on the in-process bus); `release` stops them. */
  async subscribe(subscriber: IEventSubscriber, handlers: readonly IProspectEventHandler[]): Promise<void> {
    for (const handler of handlers) this.subscriptions.set(handler.name, await subscriber.subscribe(handler));
  }

  /** Readiness of an in-process handler: fails until it is subscribed and while it is not running. */
  subscriptionHealthCheck(name: string): IHealthCheck {
    return {
      name,
      check: () => (this.subscriptions.get(name)?.healthy === true
        ? Promise.resolve()
        : Promise.reject(new Error(`the in-process ${name} is not running`))),
    };
  }

  /**
   * Sign-ups the in-process bus still holds exist nowhere else: waits up to `graceMs` for
   * the handlers to store them, and warns about any left.
   */
  async drainInProcessBus(graceMs: number): Promise<void> {
    const bus = this.bus;
    if (bus === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([bus.whenIdle(), new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs); })]);
    clearTimeout(timer);
    if (bus.size > 0) this.logger.warn(`${bus.size} sign-up(s) were still waiting in the in-process bus and were not saved`);
  }

  /** Stops the outbox relay and the in-process handlers, closes the bus, drains NATS, closes the analytics store, destroys the pool; runs once; never rejects. */
  release(): Promise<void> {
    this.released ??= this.releaseAll();
    return this.released;
  }

  private async releaseAll(): Promise<void> {
    const { bus, nats, analytics, knex, outboxRelay } = this;
    if (outboxRelay !== undefined) await this.attempt('stop the outbox relay', () => outboxRelay.stop());
    for (const [name, subscription] of this.subscriptions) await this.attempt(`stop the in-process ${name}`, () => subscription.stop());
    if (bus !== undefined) await this.attempt('close the in-process bus', () => bus.close());
    if (nats !== undefined) await this.attempt('drain the message queue connection', () => nats.drain());
    if (analytics !== undefined) await this.attempt('close the analytics store', () => analytics.close());
    if (knex !== undefined) await this.attempt('close the database connections', () => knex.destroy());
  }

  private async attempt(what: string, action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (error) {
      this.logger.warn(`Could not ${what} cleanly`, { error });
    }
  }
}
