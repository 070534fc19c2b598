import type { ILogger } from '@signup/domain';
import type { NatsConnection } from 'nats';
import { NatsConnectionMonitor } from './nats-connection-monitor.js';

/** What a pull request reports about the server while it is open. */
export interface PullObserver {
  /** The server sent the pull a message or a status: it is alive. */
  serverAnswered(): void;
  /** Idle heartbeats the server promised did not come. */
  heartbeatsMissed(): void;
  /** The server said the consumer or the stream is gone, or nothing answers for it. */
  consumerLost(): void;
}

// Pulls that end without any answer from the server before the subscription counts as stalled.
const SILENT_PULLS_BEFORE_STALL = 2;

/**
 * Decides when one subscription is stalled (missed heartbeats, pulls the server never
 * answers, a failed pull) and when its consumer must be ensured again before the next
 * pull (the server said the consumer or stream is gone, nothing answers the pull, a
 * pull or the set-up failed). A reconnect alone is neither: the subscription pulls
 * again at once, and a consumer the server lost shows as a pull nobody answers. The
 * first message or status from the server ends a stall. Logs the change both ways and
 * paces recovery attempts. `healthy` is false while disconnected or stalled.
 */
export class JetStreamStallWatch implements PullObserver {
  private readonly monitor: NatsConnectionMonitor;
  private readonly removeReconnectListener: () => void;
  private stalled = false;
  private suspect = false;
  private silentPulls = 0;
  private failures = 0;

  /** `reconnected` is called after every reconnect, so the pull loop can ask again through the new server at once. */
  constructor(
    nc: NatsConnection,
    private readonly name: string,
    private readonly logger: ILogger,
    private readonly recoveryDelaysMs: readonly number[],
    reconnected: () => void,
  ) {
    this.monitor = new NatsConnectionMonitor(nc);
    this.removeReconnectListener = this.monitor.onReconnect(() => {
      this.silentPulls = 0;
      reconnected();
    });
  }

  /** Connected and not stalled. */
  get healthy(): boolean {
    return !this.stalled && this.monitor.connected;
  }

  /** True while the client has a working connection. */
  get connected(): boolean {
    return this.monitor.connected;
  }

  /** Resolves when connected again, or after `timeoutMs`. */
  async waitForConnection(timeoutMs: number): Promise<void> {
    await this.monitor.waitForConnection(timeoutMs);
  }

  /** True once for each time the consumer became suspect: the caller then ensures it again. */
  takeConsumerSuspect(): boolean {
    const suspect = this.suspect;
    this.suspect = false;
    return suspect;
  }

  serverAnswered(): void {
    this.silentPulls = 0;
    this.markRecovered();
  }

  heartbeatsMissed(): void {
    // Pulling again is enough: a consumer the server lost shows as a pull nobody answers.
    this.markStalled('missed heartbeats from the server');
  }

  consumerLost(): void {
    this.suspect = true;
  }

  /**
   * A pull ended; `answered` says whether the server sent it anything at all, `endedEarly`
   * that it was ended before its expiry (so its silence proves nothing).
   */
  pullEnded(answered: boolean, endedEarly = false): void {
    this.failures = 0;
    if (endedEarly && !answered) return;
    if (answered) {
      this.silentPulls = 0;
      this.markRecovered();
    } else if (this.monitor.connected && ++this.silentPulls >= SILENT_PULLS_BEFORE_STALL) {
      this.silentPulls = 0;
      this.suspect = true;
      this.markStalled('the server answered no pull request');
    }
  }

  /** A pull or the consumer set-up failed. Returns how long to wait before the next attempt. */
  failed(reason: string): number {
    this.suspect = true;
    this.markStalled(reason);
    const delay = this.recoveryDelaysMs[Math.min(this.failures, this.recoveryDelaysMs.length - 1)] ?? 1000;
    this.failures += 1;
    this.logger.debug(`Subscription ${this.name} trying again in ${delay} ms`, { reason, attempt: this.failures });
    return delay;
  }

  /** Stops following the connection. */
  close(): void {
    this.removeReconnectListener();
    this.monitor.close();
  }

  private markStalled(reason: string): void {
    if (!this.stalled) {
      this.stalled = true;
      this.logger.warn(`Subscription ${this.name} stalled; pulling again`, { reason });
    }
  }

  private markRecovered(): void {
    if (this.stalled) {
      this.stalled = false;
      this.logger.info(`Subscription ${this.name} receiving again`);
    }
  }
}
