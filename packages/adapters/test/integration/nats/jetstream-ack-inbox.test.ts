import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { expect } from 'chai';
import { after, afterEach, before, beforeEach, describe, it } from 'mocha';
import { connect, ErrorCode, NatsError, type JetStreamManager, type NatsConnection } from 'nats';
import { JetStreamAckInbox } from '../../../src/nats/jetstream-ack-inbox.js';

const STREAM = 'ACK_INBOX_TEST';
const SUBJECT = 'ackinbox.events';
const data = new TextEncoder().encode('{"hello":"world"}');

async function rejection(promise: Promise<unknown>): Promise<NatsError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(NatsError);
    return error as NatsError;
  }
  throw new Error('expected the publish to be rejected');
}

describe('JetStreamAckInbox', function () {
  let server: NatsServer;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let inbox: JetStreamAckInbox;

  before(async function () {
    requireNatsServer(this);
    server = await NatsServer.start();
    nc = await connect({ servers: server.url });
    jsm = await nc.jetstreamManager();
  });

  beforeEach(async () => {
    await jsm.streams.delete(STREAM).catch(() => undefined);
    await jsm.streams.add({ name: STREAM, subjects: [SUBJECT], max_msg_size: 1024 });
    inbox = new JetStreamAckInbox(nc);
  });

  afterEach(() => {
    inbox.close();
  });

  after(async () => {
    await nc?.close();
    await server?.stop();
  });

  it('resolves with the stream and sequence, and marks a repeated message id as a duplicate stored once', async () => {
    const first = await inbox.publish(SUBJECT, data, 'event-1', 2000);
    const again = await inbox.publish(SUBJECT, data, 'event-1', 2000);
    expect(first).to.include({ stream: STREAM, seq: 1, duplicate: false });
    expect(again).to.include({ stream: STREAM, seq: 1, duplicate: true });
    expect((await jsm.streams.info(STREAM)).state.messages).to.equal(1);
    const stored = await jsm.streams.getMessage(STREAM, { seq: 1 });
    expect(stored.header.get('Nats-Msg-Id')).to.equal('event-1');
  });

  it('matches every acknowledgement to its own publish when thousands are in flight', async () => {
    const acks = await Promise.all(Array.from({ length: 3000 }, (_, index) => inbox.publish(SUBJECT, data, `event-${index}`, 5000)));
    expect(acks.map((ack) => ack.seq)).to.have.members(Array.from({ length: 3000 }, (_, index) => index + 1));
    const [first, last] = await Promise.all([jsm.streams.getMessage(STREAM, { seq: acks[0]!.seq }), jsm.streams.getMessage(STREAM, { seq: acks[2999]!.seq })]);
    expect(first.header.get('Nats-Msg-Id')).to.equal('event-0');
    expect(last.header.get('Nats-Msg-Id')).to.equal('event-2999');
  });

  it('rejects with no responders (503) when no stream stores the subject', async () => {
    const error = await rejection(inbox.publish('ackinbox.nowhere', data, 'event-1', 2000));
    expect(error.code).to.equal(ErrorCode.NoResponders);
  });

  it('rejects with the JetStream API error when the stream refuses the message', async () => {
    const error = await rejection(inbox.publish(SUBJECT, new Uint8Array(4096), 'too-big', 2000));
    expect(error.api_error?.code).to.equal(400);
    expect(error.message).to.match(/maximum/i);
    expect((await jsm.streams.info(STREAM)).state.messages).to.equal(0);
  });

  it('rejects with TIMEOUT, close to the deadline, when nothing acknowledges', async () => {
    const silent = nc.subscribe('ackinbox.silent.>');
    try {
      const started = Date.now();
      const error = await rejection(inbox.publish('ackinbox.silent.x', data, 'event-1', 300));
      expect(error.code).to.equal(ErrorCode.Timeout);
      expect(Date.now() - started, 'waits out the deadline, not a default').to.be.at.least(290).and.below(5000);
    } finally {
      silent.unsubscribe();
    }
  });

  it('fails what is pending as cancelled on close(), and as closed when the connection closes', async () => {
    const silent = nc.subscribe('ackinbox.silent.>');
    const cancelled = rejection(inbox.publish('ackinbox.silent.x', data, 'event-1', 10_000));
    inbox.close();
    expect((await cancelled).code).to.equal(ErrorCode.Cancelled);
    silent.unsubscribe();

    const other = await connect({ servers: server.url });
    other.subscribe('ackinbox.silent.>');
    const onOther = new JetStreamAckInbox(other);
    const closed = rejection(onOther.publish('ackinbox.silent.y', data, 'event-2', 10_000));
    await other.close();
    expect((await closed).code).to.equal(ErrorCode.ConnectionClosed);
  });
});
