import { QueueUnavailableError, type IEventPublisher, type ProspectSignedUpEvent } from '@signup/domain';
import { PROSPECT_SIGNED_UP_SUBJECT } from '../messaging/event-subjects.js';
import type { MessageEncoding } from '../config/index.js';
import { traceContextHeaders } from '../tracing/trace-context-propagation.js';
import type { NatsConnection } from './nats-connection.js';
import { NatsConnectionMonitor } from './nats-connection-monitor.js';
import { queueUnavailable } from './nats-error-translation.js';
import { encodeProspectSignedUpEvent } from './prospect-signed-up-codec.js';
import { withTimeout } from './with-timeout.js';

/** Tuning for `CoreNatsEventPublisher`. */
export interface CoreNatsEventPublisherOptions {
  /** How long `publish` waits for a connection and the server's flush reply together. Default 2000 ms. */
  readonly timeoutMs?: number;
  /** How published events are encoded (`MessageQueue:Encoding`). Default `utf-8`. */
  readonly encoding?: MessageEncoding;
}

/**
 * Publishes `ProspectSignedUpEvent`s with plain NATS (`MessageQueue:Mode=core`), as
 * the original app did: fire and forget to the queue groups listening now. Each
 * publish is followed by a flush, so a dead connection is reported instead of the
 * message being buffered. Nothing is stored: an event published while no handler
 * listens is lost. Messages carry no headers, as the original's did, except with
 * tracing on: then the W3C trace context of the active (publish) span.
 *
 * @throws QueueUnavailableError (with the client error as `cause`) when not connected
 *   in time, the flush times out or the connection is closed.
 */
export class CoreNatsEventPublisher implements IEventPublisher {
  private readonly monitor: NatsConnectionMonitor;
  private readonly timeoutMs: number;
  private readonly encoding: MessageEncoding;

  constructor(private readonly nc: NatsConnection, options: CoreNatsEventPublisherOptions = {}) {
    this.monitor = new NatsConnectionMonitor(nc);
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.encoding = options.encoding ?? 'utf-8';
  }

  async publish(event: ProspectSignedUpEvent): Promise<void> {
    const data = encodeProspectSignedUpEvent(event, this.encoding);
    const deadline = Date.now() + this.timeoutMs;
    const connected = await this.monitor.waitForConnection(this.timeoutMs);
    if (!connected || deadline - Date.now() < this.timeoutMs / 2) {
      throw new QueueUnavailableError(`The message queue is not connected; event ${event.correlationId} was not published.`);
    }
    try {
      // With tracing on, the publish span's trace context; with it off, no headers, as the original sent.
      const headers = traceContextHeaders();
      this.nc.publish(PROSPECT_SIGNED_UP_SUBJECT, data, headers === undefined ? undefined : { headers });
      await withTimeout(this.nc.flush(), deadline - Date.now());
    } catch (error) {
      throw queueUnavailable(`The message queue did not confirm taking event ${event.correlationId}`, error, true);
    }
  }

  /** Stops following the connection's status; the connection itself stays open. */
  close(): void {
    this.monitor.close();
  }
}
