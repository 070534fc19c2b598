import type { ILogger, IHealthCheck, ISubscription } from '@signup/domain';
import type { InMemoryEventBus } from '@signup/adapters/memory';
import type { NatsConnection } from '@signup/adapters/nats';
import type { SqlConnection } from '@signup/adapters/sql';

/**
 * What the web host opened: the database pool, the NATS connection or the in-process
 * bus and the save handler subscribed to it. Released in reverse order of opening;
 * each step is tried even when an earlier one failed.
 */
export class WebResources {
  knex: SqlConnection | undefined;
  nats: NatsConnection | undefined;
  bus: InMemoryEventBus | undefined;
  subscription: ISubscription | undefined;
  private released: Promise<void> | undefined;

  constructor(private readonly logger: ILogger) {}

  /** Readiness of the in-process save handler: fails until it is subscribed and while it is not running. */
  subscriptionHealthCheck(name: string): IHealthCheck {
    return {
      name,
      check: () => (this.subscription?.healthy === true
        ? Promise.resolve()
        : Promise.reject(new Error(`the in-process ${name} is not running`))),
    };
  }

  /**
   * Sign-ups the in-process bus still holds exist nowhere else: waits up to `graceMs` for
   * the save handler to store them, and warns about any left.
   */
  async drainInProcessBus(graceMs: number): Promise<void> {
    const bus = this.bus;
    if (bus === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([bus.whenIdle(), new Promise<void>((resolve) => { timer = setTimeout(resolve, graceMs); })]);
    clearTimeout(timer);
    if (bus.size > 0) this.logger.warn(`${bus.size} sign-up(s) were still waiting in the in-process bus and were not saved`);
  }

  /** Stops the in-process save handler, closes the bus, drains NATS, destroys the pool; runs once; never rejects. */
  release(): Promise<void> {
    this.released ??= this.releaseAll();
    return this.released;
  }

  private async releaseAll(): Promise<void> {
    const { subscription, bus, nats, knex } = this;
    if (subscription !== undefined) await this.attempt('stop the in-process save handler', () => subscription.stop());
    if (bus !== undefined) await this.attempt('close the in-process bus', () => bus.close());
    if (nats !== undefined) await this.attempt('drain the message queue connection', () => nats.drain());
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
