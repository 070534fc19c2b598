import { QueueUnavailableError, type IEventPublisher, type ProspectSignedUpEvent } from '@signup/domain';
import { PROSPECT_SIGNED_UP_SUBJECT } from '../messaging/event-subjects.js';
import { ErrorCode, NatsError } from 'nats';
import type { MessageEncoding } from '../config/index.js';
import { JetStreamAckInbox } from './jetstream-ack-inbox.js';
import type { NatsConnection } from './nats-connection.js';
import { NatsConnectionMonitor } from './nats-connection-monitor.js';
import { describeNatsError } from './nats-error-translation.js';
import { encodeProspectSignedUpEvent } from './prospect-signed-up-codec.js';

/** Tuning for `JetStreamEventPublisher`. */
export interface JetStreamEventPublisherOptions {
  /** How long `publish` may take in all: waiting for a connection, every attempt and the pauses between them. Default 2000 ms. */
  readonly timeoutMs?: number;
  /** How long one attempt waits for the acknowledgement before it is sent again. Default a quarter of `timeoutMs`, at least 250 ms. */
  readonly attemptTimeoutMs?: number;
  /** How published events are encoded (`MessageQueue:Encoding`). Default `utf-8`. */
  readonly encoding?: MessageEncoding;
}

// The least time left for the acknowledgement after waiting for a connection; below it the event is not sent.
const MIN_ACK_WAIT_FRACTION = 0.5;
// Pauses before the second, third, ... attempt; the last one repeats.
const RETRY_PAUSES_MS: readonly number[] = [50, 100, 200, 400];
// JetStream's "temporarily unavailable" answer (no stream leader, no quorum) carries HTTP-like code 503.
const JETSTREAM_UNAVAILABLE = 503;

/** How one attempt ended when it did not store the event. */
type AttemptFailure =
  /** Nothing was stored: no one took the message, or the stream answered it is without a leader. Try again. */
  | 'refused-retry'
  /** The acknowledgement did not come (or the connection dropped): the event may be stored. Try again; the msg id dedupes. */
  | 'unanswered-retry'
  /** The stream refused the message for a reason a retry does not change. */
  | 'final';

/**
 * Publishes `ProspectSignedUpEvent`s to JetStream on `events.prospect.signedup` with
 * `Nats-Msg-Id` = correlation id, and resolves only once the stream acknowledged
 * storing the event (a duplicate within the stream's window is acknowledged too,
 * and stored once). While the client is reconnecting it waits for the connection
 * rather than queueing the message, so a failed publish is never sent later. With
 * tracing on, the headers also carry the W3C trace context of the active (publish) span.
 *
 * On a cluster a publish can meet a stream leader election: no one answers for the
 * subject, JetStream answers 503, or the acknowledgement does not come. Such an
 * attempt is sent again (same `Nats-Msg-Id`, so the stream stores it once) after a
 * short pause, as long as the whole `timeoutMs` budget leaves room for another
 * attempt; it never retries past that deadline.
 *
 * @throws QueueUnavailableError (with the last client error as `cause`) when not
 *   connected in time (the event was not sent), or no attempt was acknowledged in
 *   time. `outcomeUnknown` is set when some attempt went unanswered (it may be stored);
 *   when every attempt was refused (no responders, JetStream 503, a stream refusal)
 *   nothing was stored.
 */
export class JetStreamEventPublisher implements IEventPublisher {
  private readonly acks: JetStreamAckInbox;
  private readonly monitor: NatsConnectionMonitor;
  private readonly timeoutMs: number;
  private readonly attemptTimeoutMs: number;
  private readonly minAckWaitMs: number;
  private readonly encoding: MessageEncoding;
  private turn: Promise<void> | undefined;

  constructor(nc: NatsConnection, options: JetStreamEventPublisherOptions = {}) {
    this.acks = new JetStreamAckInbox(nc);
    this.monitor = new NatsConnectionMonitor(nc);
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.attemptTimeoutMs = Math.min(this.timeoutMs, options.attemptTimeoutMs ?? Math.max(250, this.timeoutMs / 4));
    this.minAckWaitMs = Math.min(this.timeoutMs * MIN_ACK_WAIT_FRACTION, this.attemptTimeoutMs);
    this.encoding = options.encoding ?? 'utf-8';
  }

  async publish(event: ProspectSignedUpEvent): Promise<void> {
    const data = encodeProspectSignedUpEvent(event, this.encoding);
    const deadline = Date.now() + this.timeoutMs;
    let sent = false;
    let uncertain = false;
    let lastError: unknown;
    for (let attempt = 0; ; attempt += 1) {
      const connected = await this.monitor.waitForConnection(deadline - Date.now());
      if (connected && attempt === 0) await this.endOfTurn();
      // A server that has just come back can take a moment to acknowledge; sending with too
      // little time left would turn stored events into "not stored" answers, so don't send.
      if (!connected || !this.monitor.connected || deadline - Date.now() < this.minAckWaitMs) {
        if (!sent) throw new QueueUnavailableError(`The message queue is not connected; event ${event.correlationId} was not published.`);
        break;
      }
      sent = true;
      try {
        await this.acks.publish(PROSPECT_SIGNED_UP_SUBJECT, data, event.correlationId, Math.min(this.attemptTimeoutMs, deadline - Date.now()));
        return;
      } catch (error) {
        lastError = error;
        const failure = classify(error);
        if (failure === 'unanswered-retry') uncertain = true;
        if (failure === 'final') break;
      }
      // Pause, but keep room for one more attempt before the deadline.
      const pause = Math.min(RETRY_PAUSES_MS[Math.min(attempt, RETRY_PAUSES_MS.length - 1)] ?? 0, deadline - Date.now() - this.minAckWaitMs);
      if (pause <= 0) break;
      await new Promise((resolve) => setTimeout(resolve, pause));
    }
    throw new QueueUnavailableError(
      `The message queue did not confirm storing event ${event.correlationId}: ${describeNatsError(lastError)}.`,
      { cause: lastError, outcomeUnknown: uncertain || (classify(lastError) === 'final' && !isRefusal(lastError)) },
    );
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

function classify(error: unknown): AttemptFailure {
  if (!(error instanceof NatsError)) return 'final';
  if (error.code === String(ErrorCode.NoResponders)) return 'refused-retry';
  if (error.api_error?.code === JETSTREAM_UNAVAILABLE) return 'refused-retry';
  if (error.code === String(ErrorCode.Timeout) || error.code === String(ErrorCode.Disconnect)) return 'unanswered-retry';
  return 'final';
}

// The stream answered and refused the message: nothing was stored.
function isRefusal(error: unknown): boolean {
  return error instanceof NatsError && error.api_error !== undefined;
}
