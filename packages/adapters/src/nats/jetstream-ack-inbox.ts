import { createInbox, ErrorCode, headers, NatsError, type Msg, type NatsConnection, type PubAck, type Subscription } from 'nats';
import { injectTraceContext } from '../tracing/trace-context-propagation.js';

interface PendingAck {
  readonly resolve: (ack: PubAck) => void;
  readonly reject: (error: Error) => void;
  readonly deadline: number;
}

interface PubAckBody {
  readonly stream?: string;
  readonly seq?: number;
  readonly duplicate?: boolean;
  readonly domain?: string;
  readonly error?: { readonly code?: number; readonly err_code?: number; readonly description?: string };
}

const decoder = new TextDecoder();

/**
 * Publishes to JetStream and matches each acknowledgement (PubAck) to its publish
 * through one wildcard inbox subscription and one timer sweeping the deadlines, so a
 * publish costs a map entry and a promise. (The client's `jetstream().publish` goes
 * through its general request machinery: per publish a request object, a timer, a
 * second promise and an error object built even when the request succeeds.) Errors
 * are the client's `NatsError`s, as `jetstream().publish` raises them: `503` when no
 * stream stores the subject, `TIMEOUT` when no acknowledgement came in time, the
 * JetStream API error (with `api_error`) when the stream refused the message, and
 * `CONNECTION_CLOSED` for publishes pending when the connection closes.
 */
export class JetStreamAckInbox {
  private readonly prefix: string;
  private readonly pending = new Map<string, PendingAck>();
  private readonly subscription: Subscription;
  private sweeper: NodeJS.Timeout | undefined;
  private next = 0;

  constructor(private readonly nc: NatsConnection, private readonly sweepIntervalMs = 25) {
    this.prefix = createInbox();
    this.subscription = nc.subscribe(`${this.prefix}.*`, {
      callback: (error, message) => {
        if (error === null) this.settle(message);
      },
    });
    void nc.closed().then(() => this.rejectAll(NatsError.errorForCode(ErrorCode.ConnectionClosed)));
  }

  /**
   * Publishes `data` on `subject` with `Nats-Msg-Id` = `msgID`, and the W3C trace context of
   * the active span when tracing, and resolves with the stream's acknowledgement.
   */
  publish(subject: string, data: Uint8Array, msgID: string, timeoutMs: number): Promise<PubAck> {
    this.next += 1;
    const token = this.next.toString(36);
    const messageHeaders = headers();
    messageHeaders.set('Nats-Msg-Id', msgID);
    injectTraceContext(messageHeaders);
    return new Promise<PubAck>((resolve, reject) => {
      try {
        this.nc.publish(subject, data, { reply: `${this.prefix}.${token}`, headers: messageHeaders });
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      this.pending.set(token, { resolve, reject, deadline: Date.now() + timeoutMs });
      this.sweeper ??= setInterval(() => this.sweep(), this.sweepIntervalMs).unref();
    });
  }

  /** Stops listening for acknowledgements; publishes still pending fail as cancelled. */
  close(): void {
    if (!this.subscription.isClosed()) this.subscription.unsubscribe();
    this.rejectAll(NatsError.errorForCode(ErrorCode.Cancelled));
  }

  private settle(message: Msg): void {
    const token = message.subject.slice(this.prefix.length + 1);
    const entry = this.take(token);
    if (entry === undefined) return;
    if (message.headers?.code === 503) {
      entry.reject(NatsError.errorForCode(ErrorCode.NoResponders));
      return;
    }
    let body: PubAckBody;
    try {
      body = JSON.parse(decoder.decode(message.data)) as PubAckBody;
    } catch {
      entry.reject(new NatsError('the acknowledgement is not JSON', ErrorCode.BadJson));
      return;
    }
    if (body.error !== undefined) {
      const refusal = new NatsError(body.error.description ?? 'JetStream refused the message', String(body.error.code ?? ''));
      refusal.api_error = { code: body.error.code ?? 0, err_code: body.error.err_code, description: body.error.description ?? '' };
      entry.reject(refusal);
      return;
    }
    if (typeof body.stream !== 'string' || typeof body.seq !== 'number') {
      entry.reject(new NatsError('the acknowledgement names no stream and sequence', ErrorCode.BadPayload));
      return;
    }
    entry.resolve({ stream: body.stream, seq: body.seq, duplicate: body.duplicate ?? false, domain: body.domain });
  }

  private sweep(): void {
    const now = Date.now();
    for (const [token, entry] of this.pending) {
      if (entry.deadline <= now) {
        this.take(token);
        entry.reject(NatsError.errorForCode(ErrorCode.Timeout));
      }
    }
  }

  private take(token: string): PendingAck | undefined {
    const entry = this.pending.get(token);
    if (entry === undefined) return undefined;
    this.pending.delete(token);
    if (this.pending.size === 0 && this.sweeper !== undefined) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
    return entry;
  }

  private rejectAll(error: NatsError): void {
    for (const token of [...this.pending.keys()]) this.take(token)?.reject(error);
  }
}
