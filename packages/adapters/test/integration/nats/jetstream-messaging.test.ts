import {
  QueueUnavailableError, type EventOutcome, type ISubscription, type ProspectSignedUpEvent } from '@signup/domain';
import { PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, PROSPECT_SIGNED_UP_SUBJECT } from '../../../src/nats/index.js';
import { ConfigurationError } from '../../../src/config/index.js';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { expect } from 'chai';
import { after, afterEach, before, beforeEach, describe, it } from 'mocha';
import { connect, nanos, RetentionPolicy, StorageType, type JetStreamManager, type StoredMsg } from 'nats';
import { Configuration, readSignUpSettings } from '../../../src/config/index.js';
import { RecordingLogger } from '../../../src/memory/index.js';
import {
  createNatsMessaging,
  encodeProspectSignedUpEvent,
  ensureSignUpStream,
  JetStreamEventPublisher,
  JetStreamEventSubscriber,
  SIGNUP_DEADLETTER_STREAM,
  SIGNUP_EVENTS_STREAM,
  type NatsConnection } from '../../../src/nats/index.js';
import { deferred, FakeHandler, sleep } from './fake-handler.js';
import { waitUntil } from '@signup/test-support/wait-until';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';

describe('NATS JetStream messaging', function () {
  let server: NatsServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let logger: RecordingLogger;
  let publisher: JetStreamEventPublisher;
  let subscriber: JetStreamEventSubscriber;
  const subscriptions: ISubscription[] = [];
  let handlerCount = 0;

  function handlerName(): string {
    handlerCount += 1;
    return `test-handler-${handlerCount}`;
  }

  async function subscribe(handler: FakeHandler): Promise<ISubscription> {
    const subscription = await subscriber.subscribe(handler);
    subscriptions.push(subscription);
    return subscription;
  }

  async function deadLetters(): Promise<StoredMsg[]> {
    const info = await jsm.streams.info(SIGNUP_DEADLETTER_STREAM);
    const stored: StoredMsg[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq += 1) {
      stored.push(await jsm.streams.getMessage(SIGNUP_DEADLETTER_STREAM, { seq }));
    }
    return stored;
  }

  async function pendingAcks(name: string): Promise<number> {
    const info = await jsm.consumers.info(SIGNUP_EVENTS_STREAM, name);
    return info.num_ack_pending + info.num_pending;
  }

  before(async function () {
    requireNatsServer(this);
    server = await NatsServer.start();
    nc = await connect({ servers: server.url });
    jsm = await nc.jetstreamManager();
  });

  beforeEach(async () => {
    logger = new RecordingLogger();
    await ensureSignUpStream(nc);
    await jsm.streams.purge(SIGNUP_EVENTS_STREAM);
    await jsm.streams.purge(SIGNUP_DEADLETTER_STREAM);
    publisher = new JetStreamEventPublisher(nc, { timeoutMs: 2000 });
    subscriber = new JetStreamEventSubscriber(nc, logger, { batchSize: 50, fetchExpiresMs: 1000, retryDelaysMs: [400, 800] });
  });

  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop()));
    publisher.close();
  });

  after(async () => {
    await nc?.close();
    await server?.stop();
  });

  describe('ensureSignUpStream', () => {
    it('creates SIGNUP_EVENTS on events.prospect.> with file storage, limits retention and a 2-minute duplicate window', async () => {
      await jsm.streams.delete(SIGNUP_EVENTS_STREAM);

      await ensureSignUpStream(nc);

      const { config } = await jsm.streams.info(SIGNUP_EVENTS_STREAM);
      expect(config.subjects).to.deep.equal(['events.prospect.>']);
      expect(config.storage).to.equal(StorageType.File);
      expect(config.retention).to.equal(RetentionPolicy.Limits);
      expect(config.duplicate_window).to.equal(nanos(120_000));
    });

    it('creates SIGNUP_DEADLETTER on deadletter.events.prospect.> so dead letters can be inspected and replayed', async () => {
      const { config } = await jsm.streams.info(SIGNUP_DEADLETTER_STREAM);

      expect(config.subjects).to.deep.equal(['deadletter.events.prospect.>']);
      expect(config.storage).to.equal(StorageType.File);
    });

    it('refuses more than one replica on a single server with one line naming MessageQueue:Replicas', async () => {
      await jsm.streams.delete(SIGNUP_EVENTS_STREAM);

      const error = await ensureSignUpStream(nc, { replicas: 3 }).catch((caught: unknown) => caught);

      expect(error).to.be.instanceOf(ConfigurationError);
      expect((error as ConfigurationError).key).to.equal('MessageQueue:Replicas');
      expect((error as Error).message).to.match(/^MessageQueue:Replicas = "3" needs a NATS cluster, but the server at 127\.0\.0\.1:\d+ is not in one; use 1 on a single server/);
      expect((error as Error).message).not.to.match(/[\r\n]/);
    });

    it('refuses to raise the replicas of an existing stream on a single server, and keeps the stream', async () => {
      await publisher.publish(newProspectSignedUpEvent());

      const error = await ensureSignUpStream(nc, { replicas: 2 }).catch((caught: unknown) => caught);

      expect(error).to.be.instanceOf(ConfigurationError);
      expect((error as Error).message).to.contain('MessageQueue:Replicas = "2" needs a NATS cluster');
      const info = await jsm.streams.info(SIGNUP_EVENTS_STREAM);
      expect(info.config.num_replicas).to.equal(1);
      expect(info.state.messages).to.equal(1);
    });

    it('gives both streams the configured age and size limits when it creates them', async () => {
      await jsm.streams.delete(SIGNUP_EVENTS_STREAM);
      await jsm.streams.delete(SIGNUP_DEADLETTER_STREAM);

      await ensureSignUpStream(nc, { maxAgeMs: 30 * 86_400_000, maxBytes: 10 * 1024 ** 3 });

      for (const stream of [SIGNUP_EVENTS_STREAM, SIGNUP_DEADLETTER_STREAM]) {
        const { config } = await jsm.streams.info(stream);
        expect(config.max_age, stream).to.equal(nanos(30 * 86_400_000));
        expect(config.max_bytes, stream).to.equal(10 * 1024 ** 3);
        await jsm.streams.update(stream, { max_age: 0, max_bytes: -1 });
      }
    });

    it('applies changed limits to existing streams at start, keeps their messages, and leaves limits alone when none are configured', async () => {
      await publisher.publish(newProspectSignedUpEvent());

      await ensureSignUpStream(nc, { maxAgeMs: 12 * 3_600_000, maxBytes: 500 * 1024 ** 2 });
      await ensureSignUpStream(nc);

      for (const stream of [SIGNUP_EVENTS_STREAM, SIGNUP_DEADLETTER_STREAM]) {
        const { config } = await jsm.streams.info(stream);
        expect(config.max_age, stream).to.equal(nanos(12 * 3_600_000));
        expect(config.max_bytes, stream).to.equal(500 * 1024 ** 2);
      }
      expect((await jsm.streams.info(SIGNUP_EVENTS_STREAM)).state.messages).to.equal(1);
      for (const stream of [SIGNUP_EVENTS_STREAM, SIGNUP_DEADLETTER_STREAM]) await jsm.streams.update(stream, { max_age: 0, max_bytes: -1 });
    });

    it('carries MessageQueue:MaxAge and MessageQueue:MaxBytes from the settings to the streams', async () => {
      await jsm.streams.delete(SIGNUP_EVENTS_STREAM);
      await jsm.streams.delete(SIGNUP_DEADLETTER_STREAM);
      const settings = readSignUpSettings(new Configuration(Object.entries({
        'MessageQueue:Url': server.url, 'MessageQueue:MaxAge': '90m', 'MessageQueue:MaxBytes': '1GB',
      })));

      const messaging = await createNatsMessaging(nc, settings.messageQueue, logger);

      (messaging.publisher as JetStreamEventPublisher).close();
      for (const stream of [SIGNUP_EVENTS_STREAM, SIGNUP_DEADLETTER_STREAM]) {
        const { config } = await jsm.streams.info(stream);
        expect(config.max_age, stream).to.equal(nanos(90 * 60_000));
        expect(config.max_bytes, stream).to.equal(1024 ** 3);
        await jsm.streams.update(stream, { max_age: 0, max_bytes: -1 });
      }
    });

    it('updates an existing stream with another duplicate window and keeps its messages', async () => {
      await jsm.streams.update(SIGNUP_EVENTS_STREAM, { duplicate_window: nanos(10_000) });
      await publisher.publish(newProspectSignedUpEvent());

      await ensureSignUpStream(nc);
      await ensureSignUpStream(nc);

      const info = await jsm.streams.info(SIGNUP_EVENTS_STREAM);
      expect(info.config.duplicate_window).to.equal(nanos(120_000));
      expect(info.state.messages).to.equal(1);
    });
  });

  describe('JetStreamEventPublisher', () => {
    it('stores the event with Nats-Msg-Id set to the correlation id', async () => {
      const event = newProspectSignedUpEvent();

      await publisher.publish(event);

      const stored = await jsm.streams.getMessage(SIGNUP_EVENTS_STREAM, { last_by_subj: PROSPECT_SIGNED_UP_SUBJECT });
      expect(stored.header.get('Nats-Msg-Id')).to.equal(event.correlationId);
      expect(Buffer.from(stored.data).equals(Buffer.from(encodeProspectSignedUpEvent(event)))).to.equal(true);
    });

    it('stores exactly what the original .NET MessageHelper wrote with MessageQueue:Encoding=utf-16le', async () => {
      const legacy = new JetStreamEventPublisher(nc, { timeoutMs: 2000, encoding: 'utf-16le' });
      const event = newProspectSignedUpEvent();

      await legacy.publish(event);
      legacy.close();

      const stored = await jsm.streams.getMessage(SIGNUP_EVENTS_STREAM, { last_by_subj: PROSPECT_SIGNED_UP_SUBJECT });
      // The original handlers: Encoding.Unicode.GetString, then JSON.
      const parsed = JSON.parse(Buffer.from(stored.data).toString('utf16le')) as { CorrelationId: string; Prospect: { EmailAddress: string } };
      expect(parsed.CorrelationId).to.equal(event.correlationId);
      expect(parsed.Prospect.EmailAddress).to.equal(event.prospect.emailAddress);
      expect(Buffer.from(stored.data).equals(Buffer.from(encodeProspectSignedUpEvent(event, 'utf-16le')))).to.equal(true);
    });

    it('stores an event published twice once', async () => {
      const event = newProspectSignedUpEvent();

      await publisher.publish(event);
      await publisher.publish(event);

      expect((await jsm.streams.info(SIGNUP_EVENTS_STREAM)).state.messages).to.equal(1);
    });

    it('rejects with QueueUnavailableError when no stream stores the subject', async () => {
      await jsm.streams.delete(SIGNUP_EVENTS_STREAM);

      const error = await publisher.publish(newProspectSignedUpEvent()).catch((caught: unknown) => caught);

      expect(error).to.be.instanceOf(QueueUnavailableError);
      expect((error as Error).cause).to.be.instanceOf(Error);
    });
  });

  describe('JetStreamEventSubscriber', () => {
    it('creates a durable pull consumer named after the handler with explicit acks and unlimited deliveries', async () => {
      const handler = new FakeHandler(handlerName());

      await subscribe(handler);

      const { config } = await jsm.consumers.info(SIGNUP_EVENTS_STREAM, handler.name);
      expect(config.durable_name).to.equal(handler.name);
      expect(config.ack_policy).to.equal('explicit');
      expect(config.ack_wait).to.equal(nanos(30_000));
      expect(config.max_deliver).to.equal(-1);
      expect(config.max_ack_pending).to.equal(500);
      expect(config.filter_subject).to.equal(PROSPECT_SIGNED_UP_SUBJECT);
      expect(logger.messages('info')).to.include(`Listening on subject: events.prospect.signedup, queue: ${handler.name}`);
    });

    it('hands published events to the handler in batches and acknowledges the done ones', async () => {
      const handler = new FakeHandler(handlerName());
      const subscription = await subscribe(handler);
      const events = Array.from({ length: 120 }, () => newProspectSignedUpEvent());

      await Promise.all(events.map((event) => publisher.publish(event)));

      await waitUntil(() => handler.received.length >= 120, { description: 'all 120 events' });
      await waitUntil(async () => (await pendingAcks(handler.name)) === 0, { description: 'no pending acks' });
      expect(new Set(handler.received)).to.deep.equal(new Set(events.map((event) => event.correlationId)));
      expect(Math.max(...handler.batches.map((batch) => batch.length))).to.be.at.most(50);
      expect(subscription.healthy).to.equal(true);
    });

    it('dead-letters a rejected event with the reason in headers, terminates it, and goes on with the next one', async () => {
      const bad = newProspectSignedUpEvent({ firstName: '' });
      const good = newProspectSignedUpEvent();
      const handler = new FakeHandler(handlerName(), (event) => event.correlationId === bad.correlationId
        ? { status: 'rejected', reason: 'firstName: Enter your first name.' }
        : { status: 'done' });
      await subscribe(handler);

      await publisher.publish(bad);
      await publisher.publish(good);

      await waitUntil(() => handler.count(good.correlationId) === 1, { description: 'the good event' });
      await waitUntil(async () => (await deadLetters()).length === 1, { description: 'one dead letter' });
      const [letter] = await deadLetters();
      expect(letter!.subject).to.equal(PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT);
      expect(letter!.header.get('SignUp-Handler')).to.equal(handler.name);
      expect(letter!.header.get('SignUp-Reason')).to.equal('firstName: Enter your first name.');
      expect(letter!.header.get('SignUp-Original-Subject')).to.equal(PROSPECT_SIGNED_UP_SUBJECT);
      expect(letter!.header.get('SignUp-Delivery-Count')).to.equal('1');
      expect(Buffer.from(letter!.data).equals(Buffer.from(encodeProspectSignedUpEvent(bad)))).to.equal(true);
      await waitUntil(async () => (await pendingAcks(handler.name)) === 0, { description: 'no pending acks' });
      await sleep(1200);
      expect(handler.count(bad.correlationId)).to.equal(1);
    });

    it('dead-letters an undecodable message without bothering the handler, and still handles the next event', async () => {
      const handler = new FakeHandler(handlerName());
      await subscribe(handler);
      const good = newProspectSignedUpEvent();

      nc.publish(PROSPECT_SIGNED_UP_SUBJECT, new TextEncoder().encode('{"not":"an event"'));
      await publisher.publish(good);

      await waitUntil(() => handler.count(good.correlationId) === 1, { description: 'the good event' });
      await waitUntil(async () => (await deadLetters()).length === 1, { description: 'one dead letter' });
      const [letter] = await deadLetters();
      expect(letter!.header.get('SignUp-Reason')).to.match(/^Cannot decode ProspectSignedUpEvent: the message is not JSON/);
      expect(new TextDecoder().decode(letter!.data)).to.equal('{"not":"an event"');
      expect(handler.received).to.deep.equal([good.correlationId]);
      await waitUntil(async () => (await pendingAcks(handler.name)) === 0, { description: 'no pending acks' });
    });

    it('redelivers a retried event after a growing delay and never dead-letters it', async () => {
      const event = newProspectSignedUpEvent();
      const handler = new FakeHandler(handlerName(), (_event, seen) => seen < 3
        ? { status: 'retry', reason: 'The database is not reachable.' }
        : { status: 'done' });
      await subscribe(handler);

      await publisher.publish(event);

      await waitUntil(() => handler.count(event.correlationId) === 3, { description: 'the third delivery' });
      const [first, second, third] = handler.deliveries.map((delivery) => delivery.at);
      expect(second! - first!).to.be.at.least(350);
      expect(third! - second!).to.be.at.least(750);
      await waitUntil(async () => (await pendingAcks(handler.name)) === 0, { description: 'no pending acks' });
      expect(await deadLetters()).to.have.length(0);
    });

    it('retries the whole batch when the handler throws', async () => {
      const event = newProspectSignedUpEvent();
      const handler = new FakeHandler(handlerName());
      handler.failNext = new Error('boom');
      await subscribe(handler);

      await publisher.publish(event);

      await waitUntil(() => handler.count(event.correlationId) === 2, { description: 'the redelivery' });
      await waitUntil(async () => (await pendingAcks(handler.name)) === 0, { description: 'no pending acks' });
      expect(await deadLetters()).to.have.length(0);
    });

    it('consumes a UTF-16LE message published with plain NATS by a legacy .NET SignUp.Web', async () => {
      const handler = new FakeHandler(handlerName());
      await subscribe(handler);
      const legacy = JSON.stringify({
        CorrelationId: 'a1b2c3d4-e5f6-4a5b-8c7d-9e0f1a2b3c4d',
        Subject: 'events.prospect.signedup',
        SignedUpAt: '2026-11-23T10:00:00.1234567+00:00',
        Prospect: {
          ProspectId: 0, FirstName: 'Elton', LastName: 'Stoneman', CompanyName: 'Sixeyed', EmailAddress: 'elton@sixeyed.com',
          Role: { RoleCode: 'AC', RoleName: 'Architect' }, Country: { CountryCode: 'GBR', CountryName: 'United Kingdom' } } });

      nc.publish(PROSPECT_SIGNED_UP_SUBJECT, new Uint8Array(Buffer.from(legacy, 'utf16le')));

      await waitUntil(() => handler.received.length === 1, { description: 'the legacy event' });
      const [event] = handler.batches[0]!;
      expect(event!.correlationId).to.equal('a1b2c3d4-e5f6-4a5b-8c7d-9e0f1a2b3c4d');
      expect(event!.prospect.lastName).to.equal('Stoneman');
      expect(event!.signedUpAt.toISOString()).to.equal('2026-11-23T10:00:00.123Z');
    });

    it('shares one consumer between two subscriptions of the same handler', async () => {
      const name = handlerName();
      const first = new FakeHandler(name);
      const second = new FakeHandler(name);
      await subscribe(first);
      await subscribe(second);
      const events = Array.from({ length: 200 }, () => newProspectSignedUpEvent());

      await Promise.all(events.map((event) => publisher.publish(event)));

      await waitUntil(() => first.received.length + second.received.length >= 200, { description: 'all 200 events' });
      await sleep(300);
      const all = [...first.received, ...second.received];
      expect(all).to.have.length(200);
      expect(new Set(all).size).to.equal(200);
    });

    it('keeps a slow batch in progress past the ack wait so it is not redelivered meanwhile', async function () {
      this.timeout(30_000);
      const slow = new JetStreamEventSubscriber(nc, logger, { ackWaitMs: 1500, fetchExpiresMs: 1000 });
      const handler = new FakeHandler(handlerName());
      const gate = deferred();
      handler.gate = gate.promise;
      subscriptions.push(await slow.subscribe(handler));
      const event = newProspectSignedUpEvent();

      await publisher.publish(event);
      await waitUntil(() => handler.received.length === 1, { description: 'the slow batch' });
      await sleep(4000);
      gate.resolve();

      await waitUntil(async () => (await pendingAcks(handler.name)) === 0, { description: 'no pending acks' });
      await sleep(2000);
      expect(handler.count(event.correlationId)).to.equal(1);
    });

    it('hands the next batch over while one is still in progress, never more than two at once', async () => {
      class SlowHandler extends FakeHandler {
        active = 0;
        mostActive = 0;

        override async handle(events: readonly ProspectSignedUpEvent[]): Promise<EventOutcome[]> {
          this.active += 1;
          this.mostActive = Math.max(this.mostActive, this.active);
          try {
            await sleep(150);
            return await super.handle(events);
          } finally {
            this.active -= 1;
          }
        }
      }
      const handler = new SlowHandler(handlerName());
      const events = Array.from({ length: 250 }, () => newProspectSignedUpEvent());
      await Promise.all(events.map((event) => publisher.publish(event)));
      await subscribe(handler);

      await waitUntil(() => handler.received.length === events.length, { description: 'every event handled', timeoutMs: 15_000 });
      await waitUntil(async () => (await pendingAcks(handler.name)) === 0, { description: 'every event acknowledged' });
      expect(handler.mostActive).to.equal(2);
      expect(handler.batches.every((batch) => batch.length <= 50)).to.equal(true);
      expect(new Set(handler.received).size).to.equal(events.length);
    });

    it('stop() lets the batch in hand finish and acknowledges it before resolving', async () => {
      const handler = new FakeHandler(handlerName());
      const gate = deferred();
      handler.gate = gate.promise;
      const subscription = await subscribe(handler);
      const event = newProspectSignedUpEvent();
      await publisher.publish(event);
      await waitUntil(() => handler.received.length === 1, { description: 'the batch in hand' });

      let stopped = false;
      const stopping = subscription.stop().then(() => {
        stopped = true;
      });
      await sleep(200);
      expect(stopped).to.equal(false);
      gate.resolve();
      await stopping;

      expect(await pendingAcks(handler.name)).to.equal(0);
      expect(subscription.healthy).to.equal(false);
      await publisher.publish(newProspectSignedUpEvent());
      await sleep(300);
      expect(handler.received).to.deep.equal([event.correlationId]);
    });

    it('recreates its consumer when it is deleted from under it, and keeps receiving', async () => {
      const handler = new FakeHandler(handlerName());
      await subscribe(handler);
      await publisher.publish(newProspectSignedUpEvent());
      await waitUntil(() => handler.received.length === 1, { description: 'the first event' });

      await jsm.consumers.delete(SIGNUP_EVENTS_STREAM, handler.name);
      const event = newProspectSignedUpEvent();
      await publisher.publish(event);

      await waitUntil(() => handler.count(event.correlationId) >= 1, { description: 'the event published after the delete', timeoutMs: 15_000 });
      expect((await jsm.consumers.info(SIGNUP_EVENTS_STREAM, handler.name)).config.durable_name).to.equal(handler.name);
    });
  });

  describe('createNatsMessaging', () => {
    it('ensures the streams and reports readiness of the connection and the subscriptions', async () => {
      await jsm.streams.delete(SIGNUP_EVENTS_STREAM);

      const messaging = await createNatsMessaging(nc, { mode: 'jetstream' }, logger, { subscriber: { fetchExpiresMs: 1000 } });
      const handler = new FakeHandler(handlerName());
      const subscription = await messaging.subscriber.subscribe(handler);
      subscriptions.push(subscription);
      const event = newProspectSignedUpEvent();
      await messaging.publisher.publish(event);

      await waitUntil(() => handler.count(event.correlationId) === 1, { description: 'the event' });
      await messaging.healthCheck.check();
      expect(messaging.healthCheck.name).to.equal('message-queue');
      await subscription.stop();
      await messaging.healthCheck.check();
    });
  });
});
