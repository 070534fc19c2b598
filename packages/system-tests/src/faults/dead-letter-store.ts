import {
  DEAD_LETTER_DELIVERY_COUNT_HEADER,
  DEAD_LETTER_HANDLER_HEADER,
  DEAD_LETTER_ORIGINAL_SEQUENCE_HEADER,
  DEAD_LETTER_ORIGINAL_SUBJECT_HEADER,
  DEAD_LETTER_REASON_HEADER,
  DEAD_LETTER_TRUNCATED_HEADER,
  SIGNUP_DEADLETTER_STREAM,
  SIGNUP_EVENTS_STREAM,
} from '@signup/adapters/nats';
import { PROSPECT_SIGNED_UP_SUBJECT } from '@signup/domain';
import { headers, type JetStreamManager, type NatsConnection, type StoredMsg } from 'nats';

/** Header a replayed message carries: where in the dead-letter stream it came from. */
export const REPLAYED_FROM_HEADER = 'SignUp-Replayed-From';

/** One message of the `SIGNUP_DEADLETTER` stream, with the reason the handler gave. */
export interface DeadLetter {
  /** Its sequence in `SIGNUP_DEADLETTER`; names it for `replay` and `remove`. */
  readonly sequence: number;
  /** The dead-letter subject it was published on (`deadletter.events.prospect.signedup`). */
  readonly subject: string;
  readonly handler: string;
  readonly reason: string;
  /** Where it was first published; a replay goes back there. */
  readonly originalSubject: string;
  readonly deliveryCount: number;
  /** The message's sequence in `SIGNUP_EVENTS`, when the handler recorded it. */
  readonly originalSequence?: number;
  /** Size of the original body when the dead letter holds only its first bytes (it was too big to copy whole). */
  readonly truncatedFrom?: number;
  readonly storedAt: Date;
  /** The message body as the handler received it (its first bytes when `truncatedFrom` is set). */
  readonly data: Uint8Array;
}

/** What `replay` did. */
export interface ReplayResult {
  /** Sequence of the replayed copy in the events stream. */
  readonly sequence: number;
  /** True when the same dead letter had been replayed within the duplicate window, so nothing new was stored. */
  readonly duplicate: boolean;
}

const NO_MESSAGE = /no message found|message not found/i;

/**
 * The operator's view of the dead-letter stream `SIGNUP_DEADLETTER`, through the
 * nats client: count and list dead letters (with handler, reason and original
 * subject from their headers), replay one to its original subject once its cause
 * is fixed, and remove it.
 *
 * A replay is published with its own `Nats-Msg-Id` (`replay:SIGNUP_DEADLETTER:<seq>`),
 * not the event's correlation id: JetStream would drop a copy carrying the
 * original id as a duplicate for two minutes after the first publish. Replaying
 * the same dead letter twice within that window stores it once; a later second
 * replay is harmless, as the save is idempotent on the correlation id. A dead letter
 * whose body was cut to fit the payload limit is replayed from the whole original,
 * read from `SIGNUP_EVENTS` at its original sequence.
 */
export class DeadLetterStore {
  constructor(private readonly nc: NatsConnection) {}

  /** Dead letters stored now; 0 when no handler has created the stream yet. */
  async count(): Promise<number> {
    const jsm = await this.manager();
    try {
      return (await jsm.streams.info(SIGNUP_DEADLETTER_STREAM)).state.messages;
    } catch (error) {
      if (isStreamNotFound(error)) return 0;
      throw error;
    }
  }

  /** Every dead letter, oldest first. */
  async list(): Promise<DeadLetter[]> {
    const jsm = await this.manager();
    let first: number;
    let last: number;
    try {
      ({ first_seq: first, last_seq: last } = (await jsm.streams.info(SIGNUP_DEADLETTER_STREAM)).state);
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw error;
    }
    const letters: DeadLetter[] = [];
    for (let sequence = first; sequence > 0 && sequence <= last; sequence += 1) {
      const stored = await this.get(jsm, sequence);
      if (stored !== undefined) letters.push(toDeadLetter(stored));
    }
    return letters;
  }

  /**
   * Publishes the dead letter's body again to its original subject and waits for
   * the stream's acknowledgement; then removes it from the dead-letter stream
   * unless `keep` is set.
   *
   * @throws Error from the nats client when the publish is not acknowledged, or when a
   *   truncated dead letter's original is no longer in the events stream (the dead letter is kept).
   */
  async replay(letter: DeadLetter, options: { keep?: boolean } = {}): Promise<ReplayResult> {
    const replayHeaders = headers();
    replayHeaders.set(REPLAYED_FROM_HEADER, `${SIGNUP_DEADLETTER_STREAM}:${letter.sequence}`);
    const ack = await this.nc.jetstream().publish(letter.originalSubject, await this.wholeBody(letter), {
      headers: replayHeaders,
      msgID: `replay:${SIGNUP_DEADLETTER_STREAM}:${letter.sequence}`,
    });
    if (options.keep !== true) await this.remove(letter.sequence);
    return { sequence: ack.seq, duplicate: ack.duplicate };
  }

  /** Deletes a dead letter from the stream; false when it was not there. */
  async remove(sequence: number): Promise<boolean> {
    const jsm = await this.manager();
    try {
      return await jsm.streams.deleteMessage(SIGNUP_DEADLETTER_STREAM, sequence);
    } catch (error) {
      if (error instanceof Error && NO_MESSAGE.test(error.message)) return false;
      throw error;
    }
  }

  private async wholeBody(letter: DeadLetter): Promise<Uint8Array> {
    if (letter.truncatedFrom === undefined) return letter.data;
    const original = letter.originalSequence === undefined
      ? undefined
      : await this.get(await this.manager(), letter.originalSequence, SIGNUP_EVENTS_STREAM);
    if (original === undefined || original.data.length !== letter.truncatedFrom) {
      throw new Error(`Dead letter #${letter.sequence} holds only part of its message and the whole one is no longer in ${SIGNUP_EVENTS_STREAM}`);
    }
    return original.data;
  }

  private manager(): Promise<JetStreamManager> {
    return this.nc.jetstreamManager({ checkAPI: false });
  }

  private async get(jsm: JetStreamManager, sequence: number, stream = SIGNUP_DEADLETTER_STREAM): Promise<StoredMsg | undefined> {
    try {
      return await jsm.streams.getMessage(stream, { seq: sequence });
    } catch (error) {
      if (error instanceof Error && NO_MESSAGE.test(error.message)) return undefined;
      throw error;
    }
  }
}

function toDeadLetter(stored: StoredMsg): DeadLetter {
  const header = (name: string): string => stored.header?.get(name) ?? '';
  const number = (name: string): number | undefined => (header(name) === '' ? undefined : Number(header(name)));
  const originalSequence = number(DEAD_LETTER_ORIGINAL_SEQUENCE_HEADER);
  const truncatedFrom = number(DEAD_LETTER_TRUNCATED_HEADER);
  return {
    sequence: stored.seq,
    subject: stored.subject,
    handler: header(DEAD_LETTER_HANDLER_HEADER),
    reason: header(DEAD_LETTER_REASON_HEADER),
    originalSubject: header(DEAD_LETTER_ORIGINAL_SUBJECT_HEADER) || PROSPECT_SIGNED_UP_SUBJECT,
    deliveryCount: number(DEAD_LETTER_DELIVERY_COUNT_HEADER) ?? 0,
    ...(originalSequence === undefined ? {} : { originalSequence }),
    ...(truncatedFrom === undefined ? {} : { truncatedFrom }),
    storedAt: stored.time,
    data: stored.data,
  };
}

function isStreamNotFound(error: unknown): boolean {
  return error instanceof Error && /stream not found/i.test(error.message);
}
