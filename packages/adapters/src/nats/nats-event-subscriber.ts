import type { IEventSubscriber, ILogger, IProspectEventHandler, ISubscription } from '@signup/domain';
import { RunningSubscriptions, type StartableSubscription } from '../messaging/running-subscriptions.js';
import type { NatsConnection } from './nats-connection.js';

/**
 * What the NATS subscribers share: the tuning is resolved once from the options,
 * each `subscribe` creates the transport's subscription for the handler and starts
 * it, and the subscriptions started and not stopped yet are listed for the health
 * check. A transport supplies only `resolveSettings` and `createSubscription`.
 * Subscribers are built with `new` (as `createNatsMessaging` does) once the
 * connection is open, and bound as constants; they carry no container metadata.
 */
export abstract class NatsEventSubscriber<Options, Settings> implements IEventSubscriber {
  protected readonly settings: Settings;
  private readonly running = new RunningSubscriptions();

  /** @throws TypeError when the connection or the logger is missing. */
  constructor(protected readonly nc: NatsConnection, protected readonly logger: ILogger, options?: Options) {
    if (nc === undefined || logger === undefined) {
      throw new TypeError(`${new.target.name} needs a NATS connection and a logger: build it with new, or with createNatsMessaging`);
    }
    this.settings = this.resolveSettings(options);
  }

  /** The subscriptions started here and not stopped yet; a health check reports them. */
  get subscriptions(): readonly ISubscription[] {
    return this.running.all;
  }

  /**
   * Subscribes the handler under its name and resolves once the subscription runs.
   *
   * @throws QueueUnavailableError when the server cannot set the subscription up.
   * @throws HandlerNameInvalidError when the handler's name cannot name a consumer.
   */
  subscribe(handler: IProspectEventHandler): Promise<ISubscription> {
    return this.running.start(() => this.createSubscription(handler));
  }

  /** Every tuning value of the transport, from the options and the defaults. */
  protected abstract resolveSettings(options: Options | undefined): Settings;

  /** A subscription of the handler, not started yet. */
  protected abstract createSubscription(handler: IProspectEventHandler): StartableSubscription;
}
