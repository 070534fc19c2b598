import { QueueUnavailableError, type ISubscription } from '@signup/domain';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { expect } from 'chai';
import { connect, type NatsConnection } from 'nats';
import { after, before, describe, it } from 'mocha';
import sinon from 'sinon';
import { NatsHealthCheck } from '../../../src/nats/index.js';
import { waitUntil } from '@signup/test-support/wait-until';

function subscription(healthy: boolean): ISubscription {
  return { healthy, stop: () => Promise.resolve() };
}

async function failure(check: Promise<void>): Promise<Error> {
  try {
    await check;
  } catch (error) {
    return error as Error;
  }
  throw new Error('the check passed');
}

describe('NatsHealthCheck', function () {
  this.timeout(30_000);
  let server: NatsServer;
  let nc: NatsConnection;

  before(async function () {
    requireNatsServer(this);
    server = await NatsServer.start({ jetstream: false });
    nc = await connect({ servers: server.url, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
  });

  after(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('passes while the server answers and every subscription is healthy', async () => {
    await new NatsHealthCheck(nc, { subscriptions: () => [subscription(true)] }).check();
  });

  it('names the stalled subscriptions at once, without waiting for the server to answer', async () => {
    // A flush that never completes would make the check wait its whole timeout; stalled subscriptions must not.
    const silentFlush = sinon.stub(nc, 'flush').returns(new Promise<void>(() => undefined));
    const check = new NatsHealthCheck(nc, {
      timeoutMs: 10_000,
      subscriptions: () => [subscription(true), subscription(false), subscription(false)],
    });
    const started = Date.now();

    const error = await failure(check.check()).finally(() => silentFlush.restore());

    expect(error).to.be.instanceOf(QueueUnavailableError);
    expect(error.message).to.equal('2 message queue subscriptions are stalled.');
    expect(Date.now() - started).to.be.below(1000);
  });

  it('says the message queue is reconnecting while the server is away, and passes again once it is back', async () => {
    const check = new NatsHealthCheck(nc);
    await server.stop({ keepStore: true });
    await waitUntil(async () => (await failure(check.check()).catch(() => undefined))?.message.includes('reconnecting') === true, { description: 'the check to say reconnecting' });

    server = await NatsServer.start({ jetstream: false, port: server.port });
    await waitUntil(async () => check.check().then(() => true, () => false), { description: 'the check to pass again', timeoutMs: 15_000 });
  });
});
