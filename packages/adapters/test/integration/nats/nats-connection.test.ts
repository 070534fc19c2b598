import { QueueUnavailableError } from '@signup/domain';
import { ConfigurationError } from '../../../src/config/index.js';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { expect } from 'chai';
import { after, afterEach, before, describe, it } from 'mocha';
import { RecordingLogger } from '../../../src/memory/index.js';
import { connectToMessageQueue, type NatsConnection } from '../../../src/nats/index.js';
import { sleep } from './fake-handler.js';
import { waitUntil } from '@signup/test-support/wait-until';

describe('connectToMessageQueue', function () {
  let server: NatsServer;
  let logger: RecordingLogger;
  const open: NatsConnection[] = [];

  before(async function () {
    requireNatsServer(this);
    server = await NatsServer.start({ jetstream: false, extraArgs: ['--user', 'signup', '--pass', 's3cr3t'] });
  });

  beforeEach(() => {
    logger = new RecordingLogger();
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((nc) => nc.close()));
  });

  after(async () => {
    await server?.stop();
  });

  async function connectWith(url: string, options: Parameters<typeof connectToMessageQueue>[2] = {}): Promise<NatsConnection> {
    const nc = await connectToMessageQueue({ url, servers: url.split(','), mode: 'core' }, logger, options);
    open.push(nc);
    return nc;
  }

  it('connects with the user and password inside the URL and logs the URL with them masked', async () => {
    const nc = await connectWith(`nats://signup:s3cr3t@127.0.0.1:${server.port}`);

    await nc.flush();
    expect(logger.messages('info')).to.include(`Connecting to message queue url: nats://***:***@127.0.0.1:${server.port}`);
    expect(logger.text()).not.to.contain('s3cr3t');
  });

  it('tries every server of a comma-separated list', async () => {
    const nc = await connectWith(`nats://signup:s3cr3t@127.0.0.1:1,nats://signup:s3cr3t@127.0.0.1:${server.port}`);

    await nc.flush();
    expect(nc.getServer()).to.equal(`127.0.0.1:${server.port}`);
  });

  it('fails with QueueUnavailableError, without the password, when the credentials are wrong', async () => {
    const error = await connectWith(`nats://signup:wrong-pass@127.0.0.1:${server.port}`).catch((caught: unknown) => caught);

    expect(error).to.be.instanceOf(QueueUnavailableError);
    expect((error as Error).message).to.contain('nats://***:***@127.0.0.1').and.not.contain('wrong-pass');
    expect((error as Error).cause).to.be.instanceOf(Error);
  });

  it('fails fast with QueueUnavailableError when nothing listens', async () => {
    const started = Date.now();

    const error = await connectWith('nats://127.0.0.1:1', { connectTimeoutMs: 1000 }).catch((caught: unknown) => caught);

    expect(error).to.be.instanceOf(QueueUnavailableError);
    expect(Date.now() - started).to.be.lessThan(5000);
  });

  it('refuses settings without a URL with a ConfigurationError naming MessageQueue:Url', async () => {
    const error = await connectToMessageQueue({ mode: 'jetstream' }, logger).catch((caught: unknown) => caught);

    expect(error).to.be.instanceOf(ConfigurationError);
    expect((error as ConfigurationError).key).to.equal('MessageQueue:Url');
  });

  it('keeps reconnecting past 10 attempts while the server is down, then reconnects when it is back', async function () {
    this.timeout(30_000);
    const nc = await connectWith(`nats://signup:s3cr3t@127.0.0.1:${server.port}`, { reconnectTimeWaitMs: 50, reconnectJitterMs: 0 });

    await server.kill();
    await waitUntil(() => logger.lines.filter((line) => line.message === 'Reconnecting to message queue').length > 15,
      { description: 'more than 15 reconnect attempts', timeoutMs: 15_000 });
    expect(nc.isClosed()).to.equal(false);
    expect(logger.find('Disconnected from message queue', 'warn')).not.to.equal(undefined);

    await server.restart();
    await waitUntil(() => logger.find('Reconnected to message queue', 'info') !== undefined, { description: 'the reconnect', timeoutMs: 10_000 });
    await nc.flush();
    expect(nc.isClosed()).to.equal(false);
  });

  it('keeps the connection open through a restart of the server', async () => {
    const nc = await connectWith(`nats://signup:s3cr3t@127.0.0.1:${server.port}`, { reconnectTimeWaitMs: 100 });

    await server.restart();
    await sleep(50);
    await waitUntil(async () => {
      try {
        await nc.flush();
        return true;
      } catch {
        return false;
      }
    }, { description: 'a flush after the restart' });
    expect(nc.isClosed()).to.equal(false);
  });
});

describe('connectToMessageQueue with token authentication', function () {
  let server: NatsServer;
  const logger = new RecordingLogger();

  before(async function () {
    requireNatsServer(this);
    server = await NatsServer.start({ jetstream: false, extraArgs: ['--auth', 'T0ken-value'] });
  });

  after(async () => {
    await server?.stop();
  });

  it('uses a token inside the URL and masks it in the log', async () => {
    const url = `nats://T0ken-value@127.0.0.1:${server.port}`;
    const nc = await connectToMessageQueue({ url, servers: [url], mode: 'core' }, logger);
    try {
      await nc.flush();
    } finally {
      await nc.close();
    }
    expect(logger.messages('info')).to.include(`Connecting to message queue url: nats://***@127.0.0.1:${server.port}`);
    expect(logger.text()).not.to.contain('T0ken-value');
  });

  it('uses MessageQueue:Token when the URL has no credentials', async () => {
    const nc = await connectToMessageQueue({ url: server.url, servers: [server.url], mode: 'core', token: 'T0ken-value' }, logger);
    try {
      await nc.flush();
    } finally {
      await nc.close();
    }
    expect(logger.text()).not.to.contain('T0ken-value');
  });

  it('fails with QueueUnavailableError naming the file when MessageQueue:CredsFile cannot be read', async () => {
    const error = await connectToMessageQueue({ url: server.url, servers: [server.url], mode: 'core', credsFile: '/nonexistent/user.creds' }, logger)
      .catch((caught: unknown) => caught);

    expect(error).to.be.instanceOf(QueueUnavailableError);
    expect((error as Error).message).to.contain('/nonexistent/user.creds');
  });
});
