import type { ISubscription } from '@signup/domain';

/** A subscription that still has to be started. */
export interface StartableSubscription extends ISubscription {
  start(): Promise<void>;
}

/**
 * The subscriptions a subscriber started and that have not been stopped yet, so a
 * health check can report them. A subscription leaves the set when its `stop()`
 * settles, whether or not it stopped cleanly.
 */
export class RunningSubscriptions {
  private readonly running = new Set<ISubscription>();

  /** The subscriptions started and not stopped yet. */
  get all(): readonly ISubscription[] {
    return [...this.running];
  }

  /**
   * Creates and starts a subscription and tracks it until it is stopped.
   *
   * @throws whatever `create` or `start()` throws; nothing is tracked then.
   */
  async start(create: () => StartableSubscription): Promise<ISubscription> {
    const subscription = create();
    await subscription.start();
    const tracked: ISubscription = {
      get healthy() {
        return subscription.healthy;
      },
      stop: async () => {
        try {
          await subscription.stop();
        } finally {
          this.running.delete(tracked);
        }
      },
    };
    this.running.add(tracked);
    return tracked;
  }
}
