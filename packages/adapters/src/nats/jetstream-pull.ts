import { ConsumerDebugEvents, ConsumerEvents, type Consumer, type ConsumerMessages, type JsMsg } from 'nats';
import type { PullObserver } from './jetstream-stall-watch.js';

/** The size and lifetime of one pull request. */
export interface PullRequestOptions {
  readonly batchSize: number;
  readonly fetchExpiresMs: number;
  readonly idleHeartbeatMs: number;
}

/** How a pull request ended. */
export interface PullResult {
  /** The server sent the pull something (a message or a status such as "request timeout"). */
  readonly answered: boolean;
  /** The client's error when the pull failed rather than ended. */
  readonly error?: Error;
}

/**
 * One pull request on a consumer (`Consumer.fetch`): asks the server for up to
 * `batchSize` messages for at most `fetchExpiresMs`, with idle heartbeats, and passes
 * each message on as it arrives. The server's statuses are translated for a
 * `PullObserver`.
 *
 * The request always runs to its end: the server ends it once the batch is
 * delivered or when it expires (with nats 2.29 the client also closes it shortly
 * after `expires`). Closing it early would unsubscribe its inbox at once, and a
 * message the server sent before it saw the unsubscribe would be dropped by the
 * client and come back only after the ack wait; the client's API offers no drain for
 * a fetch. So a subscription that is stopping keeps what still arrives and hands it
 * back when the pull has ended, and a graceful stop takes at most one pull's lifetime.
 */
export class JetStreamPull {
  private answered = false;

  private constructor(private readonly fetch: ConsumerMessages, private readonly observer: PullObserver) {}

  /** Sends the pull request. @throws the nats client's error when it cannot be sent. */
  static async open(consumer: Consumer, options: PullRequestOptions, observer: PullObserver): Promise<JetStreamPull> {
    const fetch = await consumer.fetch({
      max_messages: options.batchSize,
      expires: options.fetchExpiresMs,
      idle_heartbeat: options.idleHeartbeatMs,
    });
    return new JetStreamPull(fetch, observer);
  }

  /** Passes every message to `receive` until the pull ends; never rejects. */
  async receive(receive: (message: JsMsg) => void): Promise<PullResult> {
    // Status reports only inform the observer; an error in them must not end or fail the pull.
    const statuses = this.watchStatuses().catch(() => undefined);
    let error: Error | undefined;
    try {
      for await (const message of this.fetch) {
        this.serverAnswered();
        receive(message);
      }
    } catch (caught) {
      error = caught instanceof Error ? caught : new Error(String(caught));
    }
    // The status that ended the request ("request timeout") is reported a few microtasks after the messages end.
    await Promise.race([statuses, new Promise((resolve) => setImmediate(resolve))]);
    return { answered: this.answered, error };
  }

  private async watchStatuses(): Promise<void> {
    for await (const status of await this.fetch.status()) {
      switch (status.type) {
        case ConsumerDebugEvents.Discard:
        case ConsumerDebugEvents.DebugEvent:
          this.serverAnswered();
          break;
        case ConsumerEvents.HeartbeatsMissed:
          this.observer.heartbeatsMissed();
          break;
        case ConsumerEvents.ConsumerDeleted:
        case ConsumerEvents.ConsumerNotFound:
        case ConsumerEvents.StreamNotFound:
        case ConsumerEvents.NoResponders:
          this.observer.consumerLost();
          break;
        default:
          break;
      }
    }
  }

  private serverAnswered(): void {
    this.answered = true;
    this.observer.serverAnswered();
  }
}
