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
  /** Why the pull was ended before the server ended it or it expired (see `JetStreamPull.end`). */
  readonly endedEarly?: string;
}

/**
 * One pull request on a consumer (`Consumer.fetch`): asks the server for up to
 * `batchSize` messages for at most `fetchExpiresMs`, with idle heartbeats, and passes
 * each message on as it arrives. The server's statuses are translated for a
 * `PullObserver`.
 *
 * A request normally runs to its end: the server ends it once the batch is
 * delivered or when it expires (with nats 2.29 the client also closes it shortly
 * after `expires`). Closing it early would unsubscribe its inbox at once, and a
 * message the server sent before it saw the unsubscribe would be dropped by the
 * client and come back only after the ack wait; the client's API offers no drain for
 * a fetch. So a subscription that is stopping keeps what still arrives and hands it
 * back when the pull has ended, and a graceful stop takes at most one pull's lifetime.
 *
 * It is ended at once, by itself or through `end()`, when the server can no longer
 * answer it: a `409` status (the server cancelled the request: "Leadership Change" when
 * the consumer's leader moved, "Server Shutdown", or another 409 that ends a request),
 * missed idle heartbeats, or a reconnect (the request was registered through the
 * server the client left). Otherwise a consumer that moved to another server would
 * wait for the request's expiry before asking again.
 */
export class JetStreamPull {
  private answered = false;
  private endedBy: string | undefined;

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
    return { answered: this.answered, error, endedEarly: this.endedBy };
  }

  /**
   * Ends the request now rather than at its expiry, for a request the server can no longer
   * answer; `receive` then resolves with `endedEarly` = `reason`. A no-op once ended.
   */
  end(reason: string): void {
    if (this.endedBy !== undefined) return;
    this.endedBy = reason;
    this.fetch.stop();
  }

  private async watchStatuses(): Promise<void> {
    for await (const status of await this.fetch.status()) {
      switch (status.type) {
        case ConsumerDebugEvents.Discard:
          this.serverAnswered();
          break;
        case ConsumerDebugEvents.DebugEvent:
          // The client reports a 409 that ends the request as "409 <description>", lower case: the
          // server cancelled it, which says nothing about the consumer answering.
          if (String(status.data).startsWith('409')) this.end(String(status.data));
          else this.serverAnswered();
          break;
        case ConsumerEvents.HeartbeatsMissed:
          this.observer.heartbeatsMissed();
          this.end('missed heartbeats');
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
