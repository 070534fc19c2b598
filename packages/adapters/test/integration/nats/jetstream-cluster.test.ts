import { ConfigurationError } from '@signup/domain';
import { NatsCluster } from '@signup/test-support/nats-cluster';
import { requireNatsServer } from '@signup/test-support/nats-server';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { RecordingLogger } from '../../../src/memory/index.js';
import {
  connectToMessageQueue,
  ensureSignUpStream,
  JetStreamEventPublisher,
  SIGNUP_DEADLETTER_STREAM,
  SIGNUP_EVENTS_STREAM,
  type NatsConnection,
} from '../../../src/nats/index.js';
import { makeEvent } from './fake-handler.js';

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
      const events = Array.from({ length: 20 }, () => makeEvent());
      const results = await Promise.allSettled(events.map((event) => publisher.publish(event)));
      await stepping;

      expect(results.filter((result) => result.status === 'rejected')).to.deep.equal([]);
    } finally {
      publisher.close();
    }
  });
});
