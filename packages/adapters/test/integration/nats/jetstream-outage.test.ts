import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { QueueUnavailableError, type ISubscription } from '@signup/domain';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { expect } from 'chai';
import { after, afterEach, before, beforeEach, describe, it } from 'mocha';
import { RecordingLogger } from '../../../src/memory/index.js';
import {
  connectToMessageQueue,
  createNatsMessaging,
  type NatsConnection,
  type NatsMessaging } from '../../../src/nats/index.js';
import { FakeHandler, sleep } from './fake-handler.js';
import { waitUntil } from '@signup/test-support/wait-until';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';

async function publishEventually(messaging: NatsMessaging, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const event = newProspectSignedUpEvent();
    try {
      await messaging.publisher.publish(event);
      return event.correlationId;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(100);
    }
  }
}

describe('NATS JetStream messaging through a server outage', function () {
  this.timeout(60_000);
  let server: NatsServer;
  let nc: NatsConnection;
  let logger: RecordingLogger;
  let messaging: NatsMessaging;
  let handler: FakeHandler;
  let subscription: ISubscription;
  let handlerCount = 0;

  before(async function () {
    requireNatsServer(this);
    server = await NatsServer.start();
  });

  beforeEach(async () => {
    if (!server.running) await server.restart();
    logger = new RecordingLogger();
    nc = await connectToMessageQueue({ url: server.url, servers: [server.url], mode: 'jetstream' }, logger,
      { reconnectTimeWaitMs: 100, reconnectJitterMs: 50 });
    messaging = await createNatsMessaging(nc, { mode: 'jetstream' }, logger, {
      publisher: { timeoutMs: 1000 },
      subscriber: { fetchExpiresMs: 1000, recoveryDelaysMs: [200, 500] } });
    handlerCount += 1;
    handler = new FakeHandler(`outage-handler-${handlerCount}`);
    subscription = await messaging.subscriber.subscribe(handler);
  });

  afterEach(async () => {
    await subscription.stop();
    await nc.close();
  });

  after(async () => {
    await server?.stop();
  });

  it('rejects a publish with QueueUnavailableError within the publish timeout while the server is down', async () => {
    await server.stop({ keepStore: true });
    const started = Date.now();

    const error = await messaging.publisher.publish(newProspectSignedUpEvent()).catch((caught: unknown) => caught);

    expect(error).to.be.instanceOf(QueueUnavailableError);
    expect(Date.now() - started).to.be.lessThan(1500);
    expect(subscription.healthy).to.equal(false);
    await messaging.healthCheck.check().then(
      () => expect.fail('the health check passed while the server was down'),
      (failure: unknown) => {
        expect(failure).to.be.instanceOf(QueueUnavailableError);
        expect((failure as Error).message).to.match(/^The message queue is reconnecting/);
      },
    );
  });

  it('publishes and receives again after the server restarts with its store, without restarting anything', async () => {
    const before = newProspectSignedUpEvent();
    await messaging.publisher.publish(before);
    await waitUntil(() => handler.count(before.correlationId) === 1, { description: 'the event before the outage' });

    await server.kill();
    await sleep(1500);
    await server.restart();

    const after = await publishEventually(messaging, 15_000);
    await waitUntil(() => handler.count(after) === 1, { description: 'the event after the restart', timeoutMs: 20_000 });
    await waitUntil(() => subscription.healthy, { description: 'the subscription to be healthy again' });
    await messaging.healthCheck.check();
  });

  it('reports a stall while the server hangs without closing the connection, and receives again when it answers', async () => {
    await waitUntil(() => subscription.healthy, { description: 'a healthy subscription' });

    await server.pause();
    try {
      await waitUntil(() => !subscription.healthy, { description: 'the subscription to report the stall', timeoutMs: 10_000 });
      expect(nc.isClosed()).to.equal(false);
    } finally {
      server.resume();
    }

    const event = await publishEventually(messaging, 15_000);
    await waitUntil(() => handler.count(event) === 1, { description: 'the event after the stall', timeoutMs: 20_000 });
    await waitUntil(() => subscription.healthy, { description: 'the subscription to be healthy again' });
  });

  it('recreates the streams and its consumer when the server comes back without its store', async () => {
    await server.kill();
    await rm(join(server.storeDir, 'jetstream'), { recursive: true, force: true });
    await server.restart();

    await waitUntil(() => subscription.healthy, { description: 'the subscription to recover', timeoutMs: 20_000 });
    const event = await publishEventually(messaging, 15_000);
    await waitUntil(() => handler.count(event) === 1, { description: 'the event after the restart', timeoutMs: 20_000 });
    expect(logger.find(/was missing; created it again/, 'warn')).not.to.equal(undefined);
  });

  it('reports the message queue as down, not reconnecting, once the connection is closed', async () => {
    await nc.close();

    const failure = await messaging.healthCheck.check().then(() => undefined, (error: unknown) => error);

    expect(failure).to.be.instanceOf(QueueUnavailableError);
    expect((failure as Error).message).to.match(/^The message queue is down: the connection is closed/);
  });
});
