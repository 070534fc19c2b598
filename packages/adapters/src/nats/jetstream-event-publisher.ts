import { PROSPECT_SIGNED_UP_SUBJECT, QueueUnavailableError, type IEventPublisher, type ProspectSignedUpEvent } from '@signup/domain';
import { JetStreamAckInbox } from './jetstream-ack-inbox.js';
import type { NatsConnection } from './nats-connection.js';
import { NatsConnectionMonitor } from './nats-connection-monitor.js';
import { queueUnavailable } from './nats-error-translation.js';
import { encodeProspectSignedUpEvent } from './prospect-signed-up-codec.js';

/** Tuning for `JetStreamEventPublisher`. */
export interface JetStreamEventPublisherOptions {
  /** How long `publish` waits for a connection and the server's acknowledgement together. Default 2000 ms. */
  readonly timeoutMs?: number;
}

// The least time left for the acknowledgement after waiting for a connection; below it the event is not sent.
const MIN_ACK_WAIT_FRACTION = 0.5;

/**
 * Publishes `ProspectSignedUpEvent`s to JetStream on `events.prospect.signedup` with
 * `Nats-Msg-Id` = correlation id, and resolves only once the stream acknowledged
 * storing the event (a duplicate within the stream's window is acknowledged too,
 * and stored once). While the client is reconnecting it waits for the connection
 * rather than queueing the message, so a failed publish is never sent later.
 *
 * @throws QueueUnavailableError (with the client error as `cause`) when not connected
 *   in time (the event was not sent), the acknowledgement times out (`outcomeUnknown`:
 *   it may be stored), no stream stores the subject, or the connection is closed.
 */
export class JetStreamEventPublisher implements IEventPublisher {
  private readonly acks: JetStreamAckInbox;
  private readonly monitor: NatsConnectionMonitor;
  private readonly timeoutMs: number;
  private readonly minAckWaitMs: number;
  private turn: Promise<void> | undefined;

  constructor(nc: NatsConnection, options: JetStreamEventPublisherOptions = {}) {
    this.acks = new JetStreamAckInbox(nc);
    this.monitor = new NatsConnectionMonitor(nc);
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.minAckWaitMs = this.timeoutMs * MIN_ACK_WAIT_FRACTION;
  }

  async publish(event: ProspectSignedUpEvent): Promise<void> {
    const data = encodeProspectSignedUpEvent(event);
    const deadline = Date.now() + this.timeoutMs;
    const connected = await this.monitor.waitForConnection(this.timeoutMs);
    if (connected) await this.endOfTurn();
    // A server that has just come back can take a moment to acknowledge; sending with too
    // little time left would turn stored events into "not stored" answers, so don't send.
    if (!connected || !this.monitor.connected || deadline - Date.now() < this.minAckWaitMs) {
      throw new QueueUnavailableError(`The message queue is not connected; event ${event.correlationId} was not published.`);
    }
    try {
      await this.acks.publish(PROSPECT_SIGNED_UP_SUBJECT, data, event.correlationId, deadline - Date.now());
    } catch (error) {
      throw queueUnavailable(`The message queue did not confirm storing event ${event.correlationId}`, error, true);
    }
  }

  /**
   * Resolves at the end of this event-loop turn, at once for every publish waiting on it. They
   * then publish in one synchronous run, which the client sends as one write to its socket, so a
   * web tier under load makes one write per turn instead of one per request.
   */
  private endOfTurn(): Promise<void> {
    this.turn ??= new Promise<void>((resolve) => {
      setImmediate(() => {
        this.turn = undefined;
        resolve();
      });
    });
    return this.turn;
  }

  /** Stops following the connection's status and listening for acknowledgements; the connection itself stays open. */
  close(): void {
    this.monitor.close();
    this.acks.close();
  }
}
