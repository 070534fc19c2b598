import { QueueUnavailableError } from '@signup/domain';
import { ConfigurationError } from '../../../src/config/index.js';
import { NatsCluster } from '@signup/test-support/nats-cluster';
import { requireNatsServer } from '@signup/test-support/nats-server';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { RecordingLogger } from '../../../src/memory/index.js';
import {
  connectToMessageQueue,
  createNatsMessaging,
  ensureSignUpStream,
  JetStreamEventPublisher,
  SIGNUP_DEADLETTER_STREAM,
  SIGNUP_EVENTS_STREAM,
  type NatsConnection } from '../../../src/nats/index.js';
import { FakeHandler, sleep } from './fake-handler.js';
import { waitUntil } from '@signup/test-support/wait-until';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';

describe('JetStream messaging on a three-node cluster', function () {
  this.timeout(90_000);
  let cluster: NatsCluster;
  let nc: NatsConnection;
  let logger: RecordingLogger;

  before(async function () {
    requireNatsServer(this);
    cluster = await NatsCluster.start();
    logger = new RecordingLogger();
    nc = await connectToMessageQueue({ url: cluster.url, mode: 'jetstream' }, logger, { reconnectTimeWaitMs: 100, reconnectJitterMs: 50 });
  });

  after(async () => {
    await nc?.close();
    await cluster?.stop();
  });

  it('logs every server of the comma-separated MessageQueue:Url', () => {
    const line = logger.find(/^Connecting to message queue url: /, 'info');

    expect(line?.message).to.equal(`Connecting to message queue url: ${cluster.url}`);
  });

  it('creates both streams with MessageQueue:Replicas replicas, then raises one-replica streams to it', async () => {
    const jsm = await nc.jetstreamManager();
    await ensureSignUpStream(nc, { replicas: 1 });
    expect((await jsm.streams.info(SIGNUP_EVENTS_STREAM)).config.num_replicas).to.equal(1);

    await ensureSignUpStream(nc, { replicas: 3 });

    for (const stream of [SIGNUP_EVENTS_STREAM, SIGNUP_DEADLETTER_STREAM]) {
      expect((await jsm.streams.info(stream)).config.num_replicas, stream).to.equal(3);
      expect((await cluster.streamPlacement(stream)).replicas, stream).to.have.length(2);
    }
  });

  it('keeps the replicas of an existing stream when none are asked for', async () => {
    await ensureSignUpStream(nc);

    expect((await (await nc.jetstreamManager()).streams.info(SIGNUP_EVENTS_STREAM)).config.num_replicas).to.equal(3);
  });

  it('refuses more replicas than the cluster has servers with one line naming MessageQueue:Replicas', async () => {
    const error = await ensureSignUpStream(nc, { replicas: 5 }).catch((caught: unknown) => caught);

    expect(error).to.be.instanceOf(ConfigurationError);
    expect((error as ConfigurationError).key).to.equal('MessageQueue:Replicas');
    expect((error as Error).message).to.match(/^MessageQueue:Replicas = "5" cannot be applied: JetStream refused stream SIGNUP_EVENTS with 5 replicas \(it has 3\): /);
    expect((error as Error).message).not.to.match(/[\r\n]/);
  });

  it('confirms every event published while the stream leader steps down', async () => {
    const publisher = new JetStreamEventPublisher(nc, { timeoutMs: 5000 });
    try {
      const stepping = cluster.stepDownStreamLeader(SIGNUP_EVENTS_STREAM);
      const events = Array.from({ length: 20 }, () => newProspectSignedUpEvent());
      const results = await Promise.allSettled(events.map((event) => publisher.publish(event)));
      await stepping;

      expect(results.filter((result) => result.status === 'rejected')).to.deep.equal([]);
    } finally {
      publisher.close();
    }
  });

  it('re-creates a lost stream with MessageQueue:Replicas replicas from a running subscription', async () => {
    const messaging = await createNatsMessaging(nc, { mode: 'jetstream', replicas: 3 }, logger, {
      subscriber: { fetchExpiresMs: 1000, recoveryDelaysMs: [200, 500] } });
    const handler = new FakeHandler('cluster-recreate-handler');
    const subscription = await messaging.subscriber.subscribe(handler);
    try {
      const jsm = await nc.jetstreamManager();
      await jsm.streams.delete(SIGNUP_EVENTS_STREAM);

      await waitUntil(() => logger.find(/Stream SIGNUP_EVENTS was missing; created it again/, 'warn') !== undefined,
        { description: 'the subscription to re-create the stream', timeoutMs: 20_000 });
      expect((await jsm.streams.info(SIGNUP_EVENTS_STREAM)).config.num_replicas).to.equal(3);
      const event = newProspectSignedUpEvent();
      await messaging.publisher.publish(event);
      await waitUntil(() => handler.count(event.correlationId) === 1, { description: 'the event published into the re-created stream', timeoutMs: 20_000 });
    } finally {
      await subscription.stop();
    }
  });

  it('receives again soon after the server leading its consumer is killed, through the server it stays connected to', async () => {
    const messaging = await createNatsMessaging(nc, { mode: 'jetstream', replicas: 3 }, logger);
    const handler = new FakeHandler('cluster-failover-handler');
    const subscription = await messaging.subscriber.subscribe(handler);
    const connectedTo = cluster.nodes.find((node) => node.url.endsWith(nc.getServer()))!;
    const consumerLeader = cluster.nodes.find((node) => node !== connectedTo)!;
    let publishing = true;
    const published: { id: string; at: number }[] = [];
    const publishLoop = (async () => {
      while (publishing) {
        const event = newProspectSignedUpEvent();
        const confirmed = await messaging.publisher.publish(event).then(() => true, () => false);
        if (confirmed) published.push({ id: event.correlationId, at: Date.now() });
        await sleep(100);
      }
    })();
    try {
      await cluster.moveConsumerLeader(SIGNUP_EVENTS_STREAM, handler.name, consumerLeader);
      await waitUntil(() => handler.deliveries.length > 0, { description: 'a first event', timeoutMs: 20_000 });

      await cluster.kill(consumerLeader);
      const killedAt = Date.now();
      const afterKill = (): number | undefined => {
        const ids = new Set(published.filter((entry) => entry.at > killedAt).map((entry) => entry.id));
        return handler.deliveries.find((delivery) => ids.has(delivery.correlationId))?.at;
      };
      await waitUntil(() => afterKill() !== undefined, { description: 'an event published after the kill', timeoutMs: 60_000 });

      const receivingAfterMs = afterKill()! - killedAt;
      const publishingAfterMs = published.find((entry) => entry.at > killedAt)!.at - killedAt;
      console.log(`      consumer leader ${consumerLeader.name} killed: publishing again after ${publishingAfterMs} ms, receiving after ${receivingAfterMs} ms`);
      expect(subscription.healthy, 'the subscription reports healthy again').to.equal(true);
    } finally {
      publishing = false;
      await publishLoop;
      await subscription.stop();
      if (!consumerLeader.running) await cluster.restart(consumerLeader);
      await cluster.waitForCurrentReplicas(SIGNUP_EVENTS_STREAM);
    }
  });

  it('answers QueueUnavailableError within the publish budget while two of three servers are down, and publishes once one is back', async () => {
    const publisher = new JetStreamEventPublisher(nc, { timeoutMs: 2000 });
    const [first, second, third] = cluster.nodes;
    try {
      const leader = await cluster.streamLeader(SIGNUP_EVENTS_STREAM);
      await Promise.all([cluster.kill(first!), cluster.kill(second!)]);
      const started = Date.now();
      const error = await publisher.publish(newProspectSignedUpEvent()).catch((caught: unknown) => caught);
      const tookMs = Date.now() - started;

      expect(error).to.be.instanceOf(QueueUnavailableError);
      expect(tookMs).to.be.lessThan(3000);
      console.log(`      two of three servers down, ${leader === third ? 'not' : 'and'} the stream leader among them: ${(error as Error).message} `
        + `(after ${tookMs} ms; outcome unknown: ${(error as QueueUnavailableError).outcomeUnknown})`);

      await cluster.restart(first!);
      const restartedAt = Date.now();
      const deadline = Date.now() + 60_000;
      for (;;) {
        const published = await publisher.publish(newProspectSignedUpEvent()).then(() => true, () => false);
        if (published) break;
        if (Date.now() > deadline) expect.fail('no publish succeeded within 60 s of a second server coming back');
        await sleep(200);
      }
      console.log(`      publishing again ${Date.now() - restartedAt} ms after a second server was back`);
    } finally {
      publisher.close();
      if (!first!.running) await cluster.restart(first!);
      if (!second!.running) await cluster.restart(second!);
    }
  });
});
