import {
  QueueUnavailableError, type ISubscription } from '@signup/domain';
import { PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, PROSPECT_SIGNED_UP_SUBJECT } from '../../../src/nats/index.js';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { expect } from 'chai';
import { after, afterEach, before, beforeEach, describe, it } from 'mocha';
import { connect, type Msg, type Subscription } from 'nats';
import { RecordingLogger } from '../../../src/memory/index.js';
import {
  CoreNatsEventPublisher,
  CoreNatsEventSubscriber,
  createNatsMessaging,
  encodeProspectSignedUpEvent,
  type NatsConnection } from '../../../src/nats/index.js';
import { deferred, FakeHandler, sleep } from './fake-handler.js';
import { waitUntil } from '@signup/test-support/wait-until';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';

describe('NATS core messaging (MessageQueue:Mode=core)', function () {
  let server: NatsServer;
  let nc: NatsConnection;
  let logger: RecordingLogger;
  let publisher: CoreNatsEventPublisher;
  let subscriber: CoreNatsEventSubscriber;
  let deadLetterTap: Subscription;
  let deadLetters: Msg[];
  const subscriptions: ISubscription[] = [];
  let handlerCount = 0;

  function handlerName(): string {
    handlerCount += 1;
    return `core-handler-${handlerCount}`;
  }

  async function subscribe(handler: FakeHandler): Promise<ISubscription> {
    const subscription = await subscriber.subscribe(handler);
    subscriptions.push(subscription);
    return subscription;
  }

  before(async function () {
    requireNatsServer(this);
    server = await NatsServer.start({ jetstream: false });
    nc = await connect({ servers: server.url });
  });

  beforeEach(async () => {
    logger = new RecordingLogger();
    publisher = new CoreNatsEventPublisher(nc, { timeoutMs: 1000 });
    subscriber = new CoreNatsEventSubscriber(nc, logger, { batchSize: 100, retryDelaysMs: [300, 600] });
    deadLetters = [];
    deadLetterTap = nc.subscribe(PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, { callback: (_error, message) => deadLetters.push(message) });
    await nc.flush();
  });

  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop()));
    deadLetterTap.unsubscribe();
    publisher.close();
  });

  after(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('works against a server without JetStream', async () => {
    const messaging = await createNatsMessaging(nc, { mode: 'core' }, logger);
    const handler = new FakeHandler(handlerName());
    subscriptions.push(await messaging.subscriber.subscribe(handler));
    const event = newProspectSignedUpEvent();

    await messaging.publisher.publish(event);

    await waitUntil(() => handler.count(event.correlationId) === 1, { description: 'the event' });
    await messaging.healthCheck.check();
    expect(logger.messages('info')).to.include(`Listening on subject: events.prospect.signedup, queue: ${handler.name}`);
  });

  it('shares 1,000 events between two subscriptions of one handler with no duplicates, and gives every other handler all of them', async () => {
    const name = handlerName();
    const first = new FakeHandler(name);
    const second = new FakeHandler(name);
    const other = new FakeHandler(handlerName());
    await subscribe(first);
    await subscribe(second);
    await subscribe(other);
    const events = Array.from({ length: 1000 }, () => newProspectSignedUpEvent());

    await Promise.all(events.map((event) => publisher.publish(event)));

    await waitUntil(() => first.received.length + second.received.length >= 1000 && other.received.length >= 1000, { description: 'every event' });
    await sleep(200);
    const shared = [...first.received, ...second.received];
    expect(shared).to.have.length(1000);
    expect(new Set(shared)).to.deep.equal(new Set(events.map((event) => event.correlationId)));
    expect(first.received.length).to.be.greaterThan(0);
    expect(second.received.length).to.be.greaterThan(0);
    expect(other.received).to.have.length(1000);
  });

  it('publishes a rejected event to the dead-letter subject with the reason, and handles the next one', async () => {
    const bad = newProspectSignedUpEvent({ emailAddress: 'nope' });
    const good = newProspectSignedUpEvent();
    const handler = new FakeHandler(handlerName(), (event) => event.correlationId === bad.correlationId
      ? { status: 'rejected', reason: 'emailAddress: Enter a valid email address.' }
      : { status: 'done' });
    await subscribe(handler);

    await publisher.publish(bad);
    await publisher.publish(good);

    await waitUntil(() => handler.count(good.correlationId) === 1 && deadLetters.length === 1, { description: 'the good event and the dead letter' });
    const [letter] = deadLetters;
    expect(letter!.headers?.get('SignUp-Handler')).to.equal(handler.name);
    expect(letter!.headers?.get('SignUp-Reason')).to.equal('emailAddress: Enter a valid email address.');
    expect(letter!.headers?.get('SignUp-Original-Subject')).to.equal(PROSPECT_SIGNED_UP_SUBJECT);
    expect(letter!.headers?.get('SignUp-Delivery-Count')).to.equal('1');
    expect(Buffer.from(letter!.data).equals(Buffer.from(encodeProspectSignedUpEvent(bad)))).to.equal(true);
  });

  it('dead-letters an undecodable message', async () => {
    const handler = new FakeHandler(handlerName());
    await subscribe(handler);

    nc.publish(PROSPECT_SIGNED_UP_SUBJECT, new TextEncoder().encode('garbage'));

    await waitUntil(() => deadLetters.length === 1, { description: 'the dead letter' });
    expect(deadLetters[0]!.headers?.get('SignUp-Reason')).to.match(/not JSON/);
    expect(handler.received).to.have.length(0);
  });

  it('retries an event in process after a growing delay and never dead-letters it', async () => {
    const event = newProspectSignedUpEvent();
    const handler = new FakeHandler(handlerName(), (_event, seen) => seen < 3 ? { status: 'retry', reason: 'database down' } : { status: 'done' });
    await subscribe(handler);

    await publisher.publish(event);

    await waitUntil(() => handler.count(event.correlationId) === 3, { description: 'the third attempt' });
    const [first, second, third] = handler.deliveries.map((delivery) => delivery.at);
    expect(second! - first!).to.be.at.least(250);
    expect(third! - second!).to.be.at.least(550);
    expect(deadLetters).to.have.length(0);
  });

  it('stop() finishes the batch in hand before resolving', async () => {
    const handler = new FakeHandler(handlerName());
    const gate = deferred();
    handler.gate = gate.promise;
    const subscription = await subscribe(handler);
    await publisher.publish(newProspectSignedUpEvent());
    await waitUntil(() => handler.received.length === 1, { description: 'the batch in hand' });

    let stopped = false;
    const stopping = subscription.stop().then(() => {
      stopped = true;
    });
    await sleep(150);
    expect(stopped).to.equal(false);
    gate.resolve();
    await stopping;

    expect(subscription.healthy).to.equal(false);
    await publisher.publish(newProspectSignedUpEvent());
    await sleep(200);
    expect(handler.received).to.have.length(1);
  });

  it('rejects a publish with QueueUnavailableError when the connection is closed', async () => {
    const closed = await connect({ servers: server.url });
    const closedPublisher = new CoreNatsEventPublisher(closed, { timeoutMs: 500 });
    await closed.close();

    const error = await closedPublisher.publish(newProspectSignedUpEvent()).catch((caught: unknown) => caught);

    expect(error).to.be.instanceOf(QueueUnavailableError);
  });
});
