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
 * Decides when one subscription is stalled and its consumer must be created again:
 * after a reconnect (the server may have lost the consumer or the pull), missed
 * heartbeats, a lost consumer, pulls the server never answers, or a failed pull.
 * Logs the change both ways and paces recovery attempts. `healthy` is false while
 * disconnected or stalled.
 */
export class JetStreamStallWatch implements PullObserver {
  private readonly monitor: NatsConnectionMonitor;
  private readonly removeReconnectListener: () => void;
  private stalled = false;
  private suspect = false;
  private silentPulls = 0;
  private failures = 0;

  /** `wake` is called after a reconnect, so a waiting pull loop can recreate its consumer at once. */
  constructor(
    nc: NatsConnection,
    private readonly name: string,
    private readonly logger: ILogger,
    private readonly recoveryDelaysMs: readonly number[],
    wake: () => void,
  ) {
    this.monitor = new NatsConnectionMonitor(nc);
    this.removeReconnectListener = this.monitor.onReconnect(() => {
      this.suspect = true;
      wake();
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
  }

  heartbeatsMissed(): void {
    this.markStalled('missed heartbeats from the server');
  }

  consumerLost(): void {
    this.suspect = true;
  }

  /** A pull ended; `answered` says whether the server sent it anything at all. */
  pullEnded(answered: boolean): void {
    this.failures = 0;
    if (answered) {
      this.silentPulls = 0;
      this.markRecovered();
    } else if (this.monitor.connected && ++this.silentPulls >= SILENT_PULLS_BEFORE_STALL) {
      this.silentPulls = 0;
      this.markStalled('the server answered no pull request');
    }
  }

  /** A pull or the consumer set-up failed. Returns how long to wait before the next attempt. */
  failed(reason: string): number {
    this.markStalled(reason);
    const delay = this.recoveryDelaysMs[Math.min(this.failures, this.recoveryDelaysMs.length - 1)] ?? 1000;
    this.failures += 1;
    return delay;
  }

  /** Stops following the connection. */
  close(): void {
    this.removeReconnectListener();
    this.monitor.close();
  }

  private markStalled(reason: string): void {
    this.suspect = true;
    if (!this.stalled) {
      this.stalled = true;
      this.logger.warn(`Subscription ${this.name} stalled; recreating its consumer`, { reason });
    }
  }

  private markRecovered(): void {
    if (this.stalled) {
      this.stalled = false;
      this.logger.info(`Subscription ${this.name} receiving again`);
    }
  }
}
