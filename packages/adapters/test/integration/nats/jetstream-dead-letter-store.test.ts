import {
  QueueUnavailableError, type ISubscription } from '@signup/domain';
import { PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, PROSPECT_SIGNED_UP_SUBJECT } from '../../../src/nats/index.js';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { expect } from 'chai';
import { after, afterEach, before, beforeEach, describe, it } from 'mocha';
import { connect, type JetStreamManager } from 'nats';
import { RecordingLogger } from '../../../src/memory/index.js';
import {
  deadLetterHeaders,
  DeadLetterIncompleteError,
  DeadLetterNotFoundError,
  DeadLetterSubjectRefusedError,
  DEAD_LETTER_TRUNCATED_HEADER,
  encodeProspectSignedUpEvent,
  ensureSignUpStream,
  JetStreamDeadLetterStore,
  JetStreamEventPublisher,
  JetStreamEventSubscriber,
  REPLAYED_FROM_HEADER,
  SIGNUP_DEADLETTER_STREAM,
  SIGNUP_EVENTS_STREAM,
  type NatsConnection } from '../../../src/nats/index.js';
import { FakeHandler } from './fake-handler.js';
import { waitUntil } from '@signup/test-support/wait-until';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';

const REJECTION = 'countryCode: Please choose a country from the list.';

describe('JetStreamDeadLetterStore', function () {
  this.timeout(30_000);

  let server: NatsServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let store: JetStreamDeadLetterStore;
  let publisher: JetStreamEventPublisher;
  let subscription: ISubscription | undefined;
  /** Correlation ids the handler rejects until they are fixed. */
  const broken = new Set<string>();
  let handler: FakeHandler;

  /** Publishes events the handler rejects (published with their correlation id as Nats-Msg-Id, as the web does) and waits for their dead letters. */
  async function deadLetter(count: number): Promise<string[]> {
    const events = Array.from({ length: count }, () => newProspectSignedUpEvent({ emailAddress: 'ada.lovelace@example.com' }));
    const stored = await store.count();
    for (const event of events) {
      broken.add(event.correlationId);
      await publisher.publish(event);
    }
    await waitUntil(async () => (await store.count()) === stored + count, { description: `${count} more dead letter(s)` });
    return events.map((event) => event.correlationId);
  }

  before(async function () {
    requireNatsServer(this);
    server = await NatsServer.start();
    nc = await connect({ servers: server.url });
    jsm = await nc.jetstreamManager();
    store = new JetStreamDeadLetterStore(nc);
  });

  beforeEach(async () => {
    await ensureSignUpStream(nc);
    await jsm.streams.purge(SIGNUP_EVENTS_STREAM);
    await jsm.streams.purge(SIGNUP_DEADLETTER_STREAM);
    broken.clear();
    publisher = new JetStreamEventPublisher(nc, { timeoutMs: 2000 });
    handler = new FakeHandler('save-handler', (event) => (broken.has(event.correlationId)
      ? { status: 'rejected', reason: REJECTION }
      : { status: 'done' }));
    subscription = await new JetStreamEventSubscriber(nc, new RecordingLogger(), { batchSize: 50, fetchExpiresMs: 500 }).subscribe(handler);
  });

  afterEach(async () => {
    await subscription?.stop();
    subscription = undefined;
    publisher.close();
  });

  after(async () => {
    await nc?.close();
    await server?.stop();
  });

  describe('list', () => {
    it('reads what the subscriber wrote: handler, reason, original subject and sequence, delivery count and body', async () => {
      const [correlationId] = await deadLetter(1);

      const [letter] = await store.list();

      expect(letter!.subject).to.equal(PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT);
      expect(letter!.handler).to.equal('save-handler');
      expect(letter!.reason).to.equal(REJECTION);
      expect(letter!.originalSubject).to.equal(PROSPECT_SIGNED_UP_SUBJECT);
      const original = await jsm.streams.getMessage(SIGNUP_EVENTS_STREAM, { seq: letter!.originalSequence! });
      expect(Buffer.from(original.data).equals(Buffer.from(letter!.data)), 'the original at its sequence').to.equal(true);
      expect(letter!.deliveryCount).to.equal(1);
      expect(letter!.truncatedFrom).to.equal(undefined);
      expect(letter!.headers).to.deep.include(['SignUp-Handler', 'save-handler']);
      expect(JSON.parse(new TextDecoder().decode(letter!.data))).to.include({ CorrelationId: correlationId });
      expect(Date.now() - letter!.storedAt.getTime()).to.be.within(0, 30_000);
    });

    it('keeps only the dead letters whose reason matches', async () => {
      await deadLetter(1);
      nc.publish(PROSPECT_SIGNED_UP_SUBJECT, new TextEncoder().encode('not json'));
      await waitUntil(async () => (await store.count()) === 2, { description: 'two dead letters' });

      expect((await store.list({ reason: /COUNTRY/i })).map((letter) => letter.reason)).to.deep.equal([REJECTION]);
      expect((await store.list({ reason: /not JSON/ })).map((letter) => letter.handler)).to.deep.equal(['save-handler']);
      expect(await store.list({ reason: /nothing says this/ })).to.deep.equal([]);
    });

    it('answers nothing, and a count of 0, when no handler has created the dead-letter stream', async () => {
      await jsm.streams.delete(SIGNUP_DEADLETTER_STREAM);

      expect(await store.list()).to.deep.equal([]);
      expect(await store.count()).to.equal(0);
      expect(await store.purge()).to.equal(0);
    });
  });

  describe('get and select', () => {
    it('reads one dead letter by its sequence and names a missing one', async () => {
      await deadLetter(1);
      const [listed] = await store.list();

      expect((await store.get(listed!.sequence)).reason).to.equal(REJECTION);
      const error = await store.get(listed!.sequence + 10).catch((caught: unknown) => caught);
      expect(error).to.be.instanceOf(DeadLetterNotFoundError).and.include({ code: 'DEAD_LETTER_NOT_FOUND' });
      expect((error as DeadLetterNotFoundError).sequences).to.deep.equal([listed!.sequence + 10]);
    });

    it('selects by sequences all or none, naming every missing sequence', async () => {
      await deadLetter(2);
      const [first, second] = await store.list();

      expect((await store.select({ sequences: [second!.sequence, first!.sequence] })).map((letter) => letter.sequence))
        .to.deep.equal([first!.sequence, second!.sequence]);
      const error = await store.select({ sequences: [first!.sequence, 98, 99] }).catch((caught: unknown) => caught);
      expect((error as DeadLetterNotFoundError).sequences).to.deep.equal([98, 99]);
      expect((error as Error).message).to.equal(`No dead letter #98, #99 in ${SIGNUP_DEADLETTER_STREAM}.`);
      expect(await store.select({ all: true })).to.have.length(2);
    });
  });

  describe('replay', () => {
    it('publishes the body again within the duplicate window of its first publish, so the fixed handler gets it, and deletes the dead letter', async () => {
      const [correlationId] = await deadLetter(1);
      const [letter] = await store.list();
      broken.clear();

      const replay = await store.replay(letter!);

      await waitUntil(() => handler.count(correlationId!) === 2, { description: 'the replayed event to reach the handler' });
      expect(replay).to.include({ deadLetterSequence: letter!.sequence, subject: PROSPECT_SIGNED_UP_SUBJECT, duplicate: false, removed: true });
      const copy = await jsm.streams.getMessage(SIGNUP_EVENTS_STREAM, { seq: replay.sequence });
      expect(copy.header.get(REPLAYED_FROM_HEADER)).to.equal(`${SIGNUP_DEADLETTER_STREAM}:${letter!.sequence}`);
      expect(Buffer.from(copy.data).equals(Buffer.from(letter!.data))).to.equal(true);
      expect(await store.count()).to.equal(0);
    });

    it('keeps the dead letter with keep, and stores a second replay within the window once', async () => {
      await deadLetter(1);
      const [letter] = await store.list();
      broken.clear();

      const first = await store.replay(letter!, { keep: true });
      const second = await store.replay(letter!, { keep: true });

      expect(first).to.include({ duplicate: false, removed: false });
      expect(second).to.include({ duplicate: true, sequence: first.sequence });
      expect((await store.list()).map((kept) => kept.sequence)).to.deep.equal([letter!.sequence]);
    });

    it('replays a dead letter cut to fit the payload limit from the whole original in SIGNUP_EVENTS', async () => {
      const event = newProspectSignedUpEvent();
      const whole = encodeProspectSignedUpEvent(event);
      await subscription?.stop();
      const original = await nc.jetstream().publish(PROSPECT_SIGNED_UP_SUBJECT, whole);
      const letter = await publishTruncatedDeadLetter(whole, original.seq);

      const replay = await store.replay(await store.get(letter));

      const copy = await jsm.streams.getMessage(SIGNUP_EVENTS_STREAM, { seq: replay.sequence });
      expect(Buffer.from(copy.data).equals(Buffer.from(whole))).to.equal(true);
    });

    it('refuses to replay a cut dead letter whose whole original is gone, and keeps it', async () => {
      const whole = encodeProspectSignedUpEvent(newProspectSignedUpEvent());
      await subscription?.stop();
      const original = await nc.jetstream().publish(PROSPECT_SIGNED_UP_SUBJECT, whole);
      await jsm.streams.deleteMessage(SIGNUP_EVENTS_STREAM, original.seq);
      const letter = await publishTruncatedDeadLetter(whole, original.seq);

      const error = await store.replay(await store.get(letter)).catch((caught: unknown) => caught);

      expect(error).to.be.instanceOf(DeadLetterIncompleteError).and.include({ code: 'DEAD_LETTER_INCOMPLETE' });
      expect(await store.count()).to.equal(1);
    });

    it('refuses to replay a dead letter whose original-subject header names a subject outside the events stream, and keeps it', async () => {
      await subscription?.stop();
      const hdrs = deadLetterHeaders({
        handler: 'save-handler', reason: REJECTION, originalSubject: `$JS.API.STREAM.PURGE.${SIGNUP_EVENTS_STREAM}`, deliveryCount: 1 });
      const kept = await nc.jetstream().publish(PROSPECT_SIGNED_UP_SUBJECT, encodeProspectSignedUpEvent(newProspectSignedUpEvent()));
      const forged = (await nc.jetstream().publish(PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, encodeProspectSignedUpEvent(newProspectSignedUpEvent()), { headers: hdrs })).seq;

      const error = await store.replay(await store.get(forged)).catch((caught: unknown) => caught);

      expect(error).to.be.instanceOf(DeadLetterSubjectRefusedError).and.include({ code: 'DEAD_LETTER_SUBJECT_REFUSED' });
      expect(await store.count()).to.equal(1);
      expect((await jsm.streams.getMessage(SIGNUP_EVENTS_STREAM, { seq: kept.seq })).seq, 'the events stream was not purged').to.equal(kept.seq);
    });

    it('refuses to replay a dead letter whose original subject holds a control character, and keeps it', async () => {
      await subscription?.stop();
      for (const originalSubject of ['events.prospect.\u001b[2Jsignedup', 'events.prospect.signed\u007fup', 'events.prospect.\u009b31m']) {
        const hdrs = deadLetterHeaders({ handler: 'save-handler', reason: REJECTION, originalSubject, deliveryCount: 1 });
        const forged = (await nc.jetstream().publish(PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, encodeProspectSignedUpEvent(newProspectSignedUpEvent()), { headers: hdrs })).seq;

        const error = await store.replay(await store.get(forged)).catch((caught: unknown) => caught);

        expect(error, JSON.stringify(originalSubject)).to.be.instanceOf(DeadLetterSubjectRefusedError);
        expect(await store.remove(forged), 'kept').to.equal(true);
      }
    });
  });

  describe('remove and purge', () => {
    it('removes one dead letter, says false for one not there, and purges the rest', async () => {
      await deadLetter(3);
      const [first] = await store.list();

      expect(await store.remove(first!.sequence)).to.equal(true);
      expect(await store.remove(first!.sequence)).to.equal(false);
      expect(await store.purge()).to.equal(2);
      expect(await store.count()).to.equal(0);
    });
  });

  it('throws QueueUnavailableError when its connection is closed', async () => {
    const closed = await connect({ servers: server.url });
    await closed.close();

    const error = await new JetStreamDeadLetterStore(closed).list().catch((caught: unknown) => caught);

    expect(error).to.be.instanceOf(QueueUnavailableError).and.include({ code: 'QUEUE_UNAVAILABLE' });
  });

  /** A dead letter holding the first 20 bytes of `whole`, with the headers the subscriber writes when it has to cut a body. */
  async function publishTruncatedDeadLetter(whole: Uint8Array, originalSequence: number): Promise<number> {
    const hdrs = deadLetterHeaders({
      handler: 'save-handler', reason: 'firstName: Enter at most 100 characters.', originalSubject: PROSPECT_SIGNED_UP_SUBJECT,
      deliveryCount: 1, originalSequence });
    hdrs.set(DEAD_LETTER_TRUNCATED_HEADER, String(whole.length));
    return (await nc.jetstream().publish(PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, whole.subarray(0, 20), { headers: hdrs })).seq;
  }
});
