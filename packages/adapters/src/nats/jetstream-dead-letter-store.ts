import { SignUpError, type SignUpErrorOptions } from '@signup/domain';
import { PROSPECT_SIGNED_UP_SUBJECT } from '../messaging/event-subjects.js';
import { headers, NatsError, type JetStreamManager, type NatsConnection, type PubAck, type StoredMsg } from 'nats';
import {
  DEAD_LETTER_DELIVERY_COUNT_HEADER,
  DEAD_LETTER_HANDLER_HEADER,
  DEAD_LETTER_ORIGINAL_SEQUENCE_HEADER,
  DEAD_LETTER_ORIGINAL_SUBJECT_HEADER,
  DEAD_LETTER_REASON_HEADER,
  DEAD_LETTER_TRUNCATED_HEADER,
} from './dead-letter.js';
import { isStreamNotFound, queueUnavailable } from './nats-error-translation.js';
import { SIGNUP_DEADLETTER_STREAM, SIGNUP_EVENTS_STREAM } from './signup-stream.js';

// The subjects SIGNUP_EVENTS stores (events.prospect.>): the only ones a replay publishes to.
// A token holds no wildcard, space or control character (an escape sequence would reach
// every tool that prints the subject).
const EVENTS_SUBJECT = /^events\.prospect\.[^.*>\s\p{Cc}]+(\.[^.*>\s\p{Cc}]+)*$/u;

/** Header a replayed message carries: `SIGNUP_DEADLETTER:<sequence>`, the dead letter it came from. */
export const REPLAYED_FROM_HEADER = 'SignUp-Replayed-From';

const NO_MESSAGE_FOUND = 10037;
const NO_MESSAGE = /no message found|message not found/i;

/** One message of the `SIGNUP_DEADLETTER` stream, with what its headers say about it. */
export interface DeadLetter {
  /** Its sequence in `SIGNUP_DEADLETTER`; names it for `get`, `replay` and `remove`. */
  readonly sequence: number;
  /** The dead-letter subject it was published on (`deadletter.events.prospect.signedup`). */
  readonly subject: string;
  /** The handler that gave up on it (`SignUp-Handler`), empty when the header is missing. */
  readonly handler: string;
  /** Why, in words (`SignUp-Reason`), empty when the header is missing. */
  readonly reason: string;
  /** Where it was first published (`SignUp-Original-Subject`); a replay goes back there. */
  readonly originalSubject: string;
  /** Deliveries before it was dead-lettered (`SignUp-Delivery-Count`), 0 when unknown. */
  readonly deliveryCount: number;
  /** The message's sequence in `SIGNUP_EVENTS`, when the handler recorded it. */
  readonly originalSequence?: number;
  /** Size of the original body when the dead letter holds only its first bytes (it was too big to copy whole). */
  readonly truncatedFrom?: number;
  /** When the dead letter was stored. */
  readonly storedAt: Date;
  /** Every header of the dead letter, in the order stored, for display. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  /** The message body as the handler received it (its first bytes when `truncatedFrom` is set). */
  readonly data: Uint8Array;
}

/** Which dead letters an operation applies to: the given sequences, those whose reason matches, or all. */
export type DeadLetterSelection =
  | { readonly sequences: readonly number[] }
  | { readonly reason: RegExp }
  | { readonly all: true };

/** What `replay` did with one dead letter. */
export interface DeadLetterReplay {
  /** The dead letter's sequence in `SIGNUP_DEADLETTER`. */
  readonly deadLetterSequence: number;
  /** The subject the body was published to. */
  readonly subject: string;
  /** Sequence of the replayed copy in the events stream. */
  readonly sequence: number;
  /** True when the same dead letter had been replayed within the duplicate window, so nothing new was stored. */
  readonly duplicate: boolean;
  /** True when the dead letter was deleted after the replay was stored. */
  readonly removed: boolean;
}

/** No dead letter has this sequence in `SIGNUP_DEADLETTER` (never had, or it was replayed or purged). */
export class DeadLetterNotFoundError extends SignUpError {
  readonly sequences: readonly number[];

  constructor(sequences: readonly number[], options: SignUpErrorOptions = {}) {
    const list = sequences.map((sequence) => `#${sequence}`).join(', ');
    super('DEAD_LETTER_NOT_FOUND', `No dead letter ${list} in ${SIGNUP_DEADLETTER_STREAM}.`, options);
    this.sequences = sequences;
  }
}

/**
 * A dead letter holds only the first bytes of its message and the whole message is no
 * longer in `SIGNUP_EVENTS` (the stream's limits removed it), so it cannot be replayed.
 */
export class DeadLetterIncompleteError extends SignUpError {
  constructor(sequence: number) {
    super('DEAD_LETTER_INCOMPLETE',
      `Dead letter #${sequence} holds only part of its message and the whole one is no longer in ${SIGNUP_EVENTS_STREAM}; it was kept.`);
  }
}

/**
 * A dead letter names, as its original subject, one the events stream does not store: a
 * replay sends messages only to `events.prospect.*` subjects, whatever a header says, so a
 * forged header cannot make an operator's replay publish anywhere else (a JetStream API
 * subject, say).
 */
export class DeadLetterSubjectRefusedError extends SignUpError {
  constructor(sequence: number, subject: string) {
    super('DEAD_LETTER_SUBJECT_REFUSED',
      `Dead letter #${sequence} names ${JSON.stringify(subject)} as its original subject, which ${SIGNUP_EVENTS_STREAM} does not store; it was not replayed and was kept.`);
  }
}

/**
 * The operator's view of the dead-letter stream `SIGNUP_DEADLETTER` (see
 * docs/reliability.md): list dead letters with the handler, reason and original subject
 * their headers carry, read one, replay them to their original subject once the cause
 * is fixed, delete one, or purge them all.
 *
 * A replay is published with its own `Nats-Msg-Id` (`replay:SIGNUP_DEADLETTER:<seq>`),
 * not the event's correlation id: JetStream would drop a copy carrying the original id
 * as a duplicate for two minutes after the first publish. Replaying the same dead
 * letter twice within that window stores it once; a later second replay is harmless,
 * as the save is idempotent on the correlation id. A dead letter whose body was cut to
 * fit the payload limit is replayed from the whole original, read from `SIGNUP_EVENTS`
 * at its original sequence.
 *
 * Reads treat a missing `SIGNUP_DEADLETTER` stream (no handler has run yet) as empty.
 * Every method throws `QueueUnavailableError` (transient) when JetStream cannot be
 * reached or does not answer.
 */
export class JetStreamDeadLetterStore {
  constructor(private readonly nc: NatsConnection) {}

  /** Dead letters stored now. */
  async count(): Promise<number> {
    return (await this.bounds())?.messages ?? 0;
  }

  /** Every dead letter, oldest first; with `reason`, those whose reason matches it. */
  async list(filter: { readonly reason?: RegExp } = {}): Promise<DeadLetter[]> {
    const bounds = await this.bounds();
    if (bounds === undefined || bounds.messages === 0) return [];
    const letters: DeadLetter[] = [];
    for (let sequence = bounds.first; sequence <= bounds.last; sequence += 1) {
      const stored = await this.read(SIGNUP_DEADLETTER_STREAM, sequence);
      if (stored === undefined) continue;
      const letter = toDeadLetter(stored);
      if (filter.reason === undefined || filter.reason.test(letter.reason)) letters.push(letter);
    }
    return letters;
  }

  /**
   * The dead letter at this sequence.
   *
   * @throws DeadLetterNotFoundError when there is none.
   */
  async get(sequence: number): Promise<DeadLetter> {
    const stored = await this.read(SIGNUP_DEADLETTER_STREAM, sequence);
    if (stored === undefined) throw new DeadLetterNotFoundError([sequence]);
    return toDeadLetter(stored);
  }

  /**
   * The dead letters a selection names, oldest first.
   *
   * @throws DeadLetterNotFoundError naming every requested sequence that is not there
   *   (nothing is returned then, so a caller acts on all of them or none).
   */
  async select(selection: DeadLetterSelection): Promise<DeadLetter[]> {
    if ('all' in selection) return this.list();
    if ('reason' in selection) return this.list({ reason: selection.reason });
    const wanted = [...new Set(selection.sequences)].sort((a, b) => a - b);
    const letters: DeadLetter[] = [];
    const missing: number[] = [];
    for (const sequence of wanted) {
      const stored = await this.read(SIGNUP_DEADLETTER_STREAM, sequence);
      if (stored === undefined) missing.push(sequence);
      else letters.push(toDeadLetter(stored));
    }
    if (missing.length > 0) throw new DeadLetterNotFoundError(missing);
    return letters;
  }

  /**
   * Publishes the dead letter's body again to its original subject with a
   * `Nats-Msg-Id` of its own and waits for the stream's acknowledgement; then deletes
   * the dead letter unless `keep` is set. Nothing is deleted when the publish fails.
   *
   * @throws DeadLetterSubjectRefusedError when its original subject is not one the events stream stores.
   * @throws DeadLetterIncompleteError when the dead letter was cut and its whole original is gone.
   * @throws QueueUnavailableError when the publish is not acknowledged (no stream stores
   *   the original subject, or the server is away).
   */
  async replay(letter: DeadLetter, options: { readonly keep?: boolean } = {}): Promise<DeadLetterReplay> {
    if (!EVENTS_SUBJECT.test(letter.originalSubject)) throw new DeadLetterSubjectRefusedError(letter.sequence, letter.originalSubject);
    const body = await this.wholeBody(letter);
    const replayHeaders = headers();
    replayHeaders.set(REPLAYED_FROM_HEADER, `${SIGNUP_DEADLETTER_STREAM}:${letter.sequence}`);
    let ack: PubAck;
    try {
      ack = await this.nc.jetstream().publish(letter.originalSubject, body, {
        headers: replayHeaders,
        msgID: `replay:${SIGNUP_DEADLETTER_STREAM}:${letter.sequence}`,
      });
    } catch (error) {
      throw queueUnavailable(`Cannot replay dead letter #${letter.sequence} to ${letter.originalSubject}`, error, true);
    }
    const removed = options.keep === true ? false : await this.remove(letter.sequence);
    return { deadLetterSequence: letter.sequence, subject: letter.originalSubject, sequence: ack.seq, duplicate: ack.duplicate, removed };
  }

  /** Deletes a dead letter; false when it was not there. */
  async remove(sequence: number): Promise<boolean> {
    const jsm = await this.manager();
    try {
      return await jsm.streams.deleteMessage(SIGNUP_DEADLETTER_STREAM, sequence);
    } catch (error) {
      if (isNoMessage(error) || isStreamNotFound(error)) return false;
      throw queueUnavailable(`Cannot delete dead letter #${sequence}`, error);
    }
  }

  /** Deletes every dead letter; resolves to how many there were. The stream itself stays. */
  async purge(): Promise<number> {
    const jsm = await this.manager();
    try {
      return (await jsm.streams.purge(SIGNUP_DEADLETTER_STREAM)).purged;
    } catch (error) {
      if (isStreamNotFound(error)) return 0;
      throw queueUnavailable(`Cannot purge ${SIGNUP_DEADLETTER_STREAM}`, error);
    }
  }

  private async wholeBody(letter: DeadLetter): Promise<Uint8Array> {
    if (letter.truncatedFrom === undefined) return letter.data;
    const original = letter.originalSequence === undefined
      ? undefined
      : await this.read(SIGNUP_EVENTS_STREAM, letter.originalSequence);
    if (original === undefined || original.data.length !== letter.truncatedFrom) throw new DeadLetterIncompleteError(letter.sequence);
    return original.data;
  }

  private async bounds(): Promise<{ first: number; last: number; messages: number } | undefined> {
    const jsm = await this.manager();
    try {
      const { state } = await jsm.streams.info(SIGNUP_DEADLETTER_STREAM);
      return { first: state.first_seq, last: state.last_seq, messages: state.messages };
    } catch (error) {
      if (isStreamNotFound(error)) return undefined;
      throw queueUnavailable(`Cannot read the stream ${SIGNUP_DEADLETTER_STREAM}`, error);
    }
  }

  private async manager(): Promise<JetStreamManager> {
    try {
      return await this.nc.jetstreamManager({ checkAPI: false });
    } catch (error) {
      throw queueUnavailable('JetStream is not available', error);
    }
  }

  private async read(stream: string, sequence: number): Promise<StoredMsg | undefined> {
    const jsm = await this.manager();
    try {
      return await jsm.streams.getMessage(stream, { seq: sequence });
    } catch (error) {
      if (isNoMessage(error) || isStreamNotFound(error)) return undefined;
      throw queueUnavailable(`Cannot read message #${sequence} of ${stream}`, error);
    }
  }
}

function isNoMessage(error: unknown): boolean {
  return error instanceof NatsError && (error.api_error?.err_code === NO_MESSAGE_FOUND || NO_MESSAGE.test(error.message));
}

function toDeadLetter(stored: StoredMsg): DeadLetter {
  const header = (name: string): string => stored.header?.get(name) ?? '';
  const number = (name: string): number | undefined => {
    const value = Number.parseInt(header(name), 10);
    return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  };
  const originalSequence = number(DEAD_LETTER_ORIGINAL_SEQUENCE_HEADER);
  const truncatedFrom = number(DEAD_LETTER_TRUNCATED_HEADER);
  const all: Array<readonly [string, string]> = [];
  if (stored.header !== undefined) {
    for (const [key, values] of stored.header) for (const value of values) all.push([key, value]);
  }
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
    headers: all,
    data: stored.data,
  };
}
