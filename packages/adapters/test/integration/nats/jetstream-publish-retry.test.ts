import { QueueUnavailableError } from '@signup/domain';
import { PROSPECT_SIGNED_UP_SUBJECT } from '../../../src/nats/index.js';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { expect } from 'chai';
import { after, afterEach, before, beforeEach, describe, it } from 'mocha';
import { connect, type JetStreamManager } from 'nats';
import {
  decodeProspectSignedUpEvent,
  ensureSignUpStream,
  JetStreamEventPublisher,
  SIGNUP_EVENTS_STREAM,
  type NatsConnection } from '../../../src/nats/index.js';
import { sleep } from './fake-handler.js';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';

describe('JetStreamEventPublisher retrying within its deadline', function () {
  this.timeout(20_000);
  let server: NatsServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let publisher: JetStreamEventPublisher;

  before(async function () {
    requireNatsServer(this);
    server = await NatsServer.start();
    nc = await connect({ servers: server.url });
    jsm = await nc.jetstreamManager();
  });

  beforeEach(async () => {
    await ensureSignUpStream(nc);
    await jsm.streams.purge(SIGNUP_EVENTS_STREAM);
  });

  afterEach(() => {
    publisher?.close();
    server.resume();
  });

  after(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('sends again when no stream answers at first, and resolves once the stream is back', async () => {
    publisher = new JetStreamEventPublisher(nc, { timeoutMs: 2000 });
    await jsm.streams.delete(SIGNUP_EVENTS_STREAM);
    const event = newProspectSignedUpEvent();

    const publishing = publisher.publish(event);
    await sleep(300);
    await ensureSignUpStream(nc);
    await publishing;

    const stored = await jsm.streams.getMessage(SIGNUP_EVENTS_STREAM, { last_by_subj: PROSPECT_SIGNED_UP_SUBJECT });
    expect(decodeProspectSignedUpEvent(stored.data).correlationId).to.equal(event.correlationId);
    expect((await jsm.streams.info(SIGNUP_EVENTS_STREAM)).state.messages).to.equal(1);
  });

  it('gives up at its deadline, saying nothing was stored, when no stream ever answers', async () => {
    publisher = new JetStreamEventPublisher(nc, { timeoutMs: 1000 });
    await jsm.streams.delete(SIGNUP_EVENTS_STREAM);
    const started = Date.now();

    const error = await publisher.publish(newProspectSignedUpEvent()).catch((caught: unknown) => caught);

    const elapsed = Date.now() - started;
    expect(error).to.be.instanceOf(QueueUnavailableError);
    expect((error as QueueUnavailableError).outcomeUnknown, 'every attempt was refused').to.equal(false);
    expect((error as Error).message).to.contain('no responders');
    expect(elapsed, 'it retried for a while').to.be.greaterThan(500);
    expect(elapsed, 'never past the deadline').to.be.lessThan(1200);
  });

  it('sends again after an unanswered attempt, and the stream stores the event once', async () => {
    publisher = new JetStreamEventPublisher(nc, { timeoutMs: 3000, attemptTimeoutMs: 300 });
    const event = newProspectSignedUpEvent();

    await server.pause();
    const publishing = publisher.publish(event);
    await sleep(700);
    server.resume();
    await publishing;

    const info = await jsm.streams.info(SIGNUP_EVENTS_STREAM);
    expect(info.state.messages, 'the resent copies were dropped as duplicates').to.equal(1);
  });

  it('says the outcome is unknown when an attempt went unanswered and the deadline passed', async () => {
    publisher = new JetStreamEventPublisher(nc, { timeoutMs: 800, attemptTimeoutMs: 300 });
    await server.pause();
    const started = Date.now();
    const error = await publisher.publish(newProspectSignedUpEvent()).catch((caught: unknown) => caught);
    server.resume();

    expect(error).to.be.instanceOf(QueueUnavailableError);
    expect((error as QueueUnavailableError).outcomeUnknown).to.equal(true);
    expect(Date.now() - started, 'never past the deadline').to.be.lessThan(1000);
  });
});
