import { QueueUnavailableError } from '@signup/domain';
import { PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, PROSPECT_SIGNED_UP_SUBJECT } from '../../../src/nats/index.js';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { AckPolicy, connect, DeliverPolicy, type JetStreamClient, type JsMsg, type NatsConnection } from 'nats';
import {
  ensureSignUpStream,
  JetStreamConsumerLag,
  SIGNUP_EVENTS_STREAM,
  type ConsumerLagSample,
} from '../../../src/nats/index.js';
import { waitUntil } from '@signup/test-support/wait-until';

describe('JetStreamConsumerLag', function () {
  let server: NatsServer;
  let nc: NatsConnection;
  let js: JetStreamClient;

  before(async function () {
    requireNatsServer(this);
    server = await NatsServer.start();
    nc = await connect({ servers: server.url });
    await ensureSignUpStream(nc);
    js = nc.jetstream();
  });

  after(async () => {
    await nc?.close();
    await server?.stop();
  });

  async function addConsumer(name: string): Promise<void> {
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.add(SIGNUP_EVENTS_STREAM, { durable_name: name, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New, ack_wait: 60_000_000_000 });
  }

  async function publish(count: number): Promise<void> {
    for (let index = 0; index < count; index += 1) await js.publish(PROSPECT_SIGNED_UP_SUBJECT, new TextEncoder().encode(`{"n":${index}}`));
  }

  async function fetch(name: string, count: number): Promise<JsMsg[]> {
    const consumer = await js.consumers.get(SIGNUP_EVENTS_STREAM, name);
    const received: JsMsg[] = [];
    for await (const message of await consumer.fetch({ max_messages: count, expires: 2000 })) {
      received.push(message);
      if (received.length === count) break;
    }
    return received;
  }

  describe('sample', () => {
    it('reads pending, ack-pending and redelivered as messages wait, are taken, refused and acknowledged', async () => {
      await addConsumer('lag-steps');
      const lag = new JetStreamConsumerLag(nc, { consumer: 'lag-steps', onSample: () => undefined });
      const counts = async (): Promise<[number, number, number]> => {
        const { pending, ackPending, redelivered } = await lag.sample();
        return [pending, ackPending, redelivered];
      };
      expect(await counts()).to.deep.equal([0, 0, 0]);

      await publish(5);
      expect(await counts()).to.deep.equal([5, 0, 0]);

      const taken = await fetch('lag-steps', 2);
      expect(await counts()).to.deep.equal([3, 2, 0]);

      taken[0]!.nak();
      taken[1]!.ack();
      await nc.flush();
      const again = await fetch('lag-steps', 1);
      expect(again[0]!.info.redelivered).to.equal(true);
      expect(await counts()).to.deep.equal([3, 1, 1]);

      for (const message of [...again, ...await fetch('lag-steps', 3)]) message.ack();
      await nc.flush();
      await waitUntil(async () => (await counts()).every((count) => count === 0), { description: 'the consumer to catch up' });
    });

    it('counts the dead letters stored', async () => {
      await addConsumer('lag-dead-letters');
      const lag = new JetStreamConsumerLag(nc, { consumer: 'lag-dead-letters', onSample: () => undefined });
      const before = (await lag.sample()).deadLetters;
      await js.publish(PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, new TextEncoder().encode('{}'));
      await js.publish(PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, new TextEncoder().encode('{}'));
      const sample = await lag.sample();
      expect(sample.deadLetters).to.equal(before + 2);
      expect(sample).to.include({ stream: 'SIGNUP_EVENTS', consumer: 'lag-dead-letters' });
    });

    it('fails with QueueUnavailableError naming a consumer that does not exist', async () => {
      const lag = new JetStreamConsumerLag(nc, { consumer: 'no-such-handler', onSample: () => undefined });
      const error = await lag.sample().catch((thrown: unknown) => thrown);
      expect(error).to.be.instanceOf(QueueUnavailableError);
      expect((error as Error).message).to.contain('no-such-handler');
    });
  });

  describe('start', () => {
    it('reports the backlog growing while no one consumes, and back at 0 once it is consumed', async () => {
      await addConsumer('lag-periodic');
      const samples: ConsumerLagSample[] = [];
      const lag = new JetStreamConsumerLag(nc, { consumer: 'lag-periodic', intervalMs: 50, onSample: (sample) => samples.push(sample) });
      lag.start();
      try {
        await waitUntil(() => samples.length > 0, { description: 'a first sample at start' });
        expect(samples[0]!.pending).to.equal(0);
        await publish(3);
        await waitUntil(() => samples.at(-1)!.pending === 3, { description: 'the backlog of 3 to show' });
        await publish(4);
        await waitUntil(() => samples.at(-1)!.pending === 7, { description: 'the backlog to grow to 7' });
        for (const message of await fetch('lag-periodic', 7)) message.ack();
        await nc.flush();
        await waitUntil(() => samples.at(-1)!.pending === 0 && samples.at(-1)!.ackPending === 0, { description: 'the backlog back at 0' });
      } finally {
        await lag.stop();
      }
      const count = samples.length;
      await new Promise((resolve) => setTimeout(resolve, 150));
      expect(samples.length, 'no sample after stop').to.equal(count);
      const pendings = samples.map((sample) => sample.pending);
      expect(Math.max(...pendings)).to.equal(7);
    });

    it('hands failed samples to onError and keeps sampling', async () => {
      const errors: unknown[] = [];
      const samples: ConsumerLagSample[] = [];
      const lag = new JetStreamConsumerLag(nc, {
        consumer: 'created-later', intervalMs: 50, onSample: (sample) => samples.push(sample), onError: (error) => errors.push(error),
      });
      lag.start();
      try {
        await waitUntil(() => errors.length >= 2, { description: 'two failed samples' });
        expect(errors[0]).to.be.instanceOf(QueueUnavailableError);
        await addConsumer('created-later');
        await waitUntil(() => samples.length > 0, { description: 'a sample once the consumer exists' });
      } finally {
        await lag.stop();
      }
    });
  });
});
