import { expect } from 'chai';
import { describe, it } from 'mocha';
import { Events, type NatsConnection, type Status } from 'nats';
import { RecordingLogger } from '../../../src/memory/index.js';
import { JetStreamStallWatch } from '../../../src/nats/jetstream-stall-watch.js';

/** A connection that is open and connected, and reports the status events a test gives it. */
class FakeConnection {
  readonly info = { server_id: 'fake' };
  private readonly pending: Status[] = [];
  private wake: (() => void) | undefined;

  report(type: Events): void {
    this.pending.push({ type, data: '' });
    this.wake?.();
  }

  isClosed(): boolean {
    return false;
  }

  closed(): Promise<void> {
    return new Promise(() => undefined);
  }

  status(): AsyncIterable<Status> {
    const next = async (): Promise<IteratorResult<Status>> => {
      for (;;) {
        const status = this.pending.shift();
        if (status !== undefined) return { value: status, done: false };
        await new Promise<void>((resolve) => { this.wake = resolve; });
      }
    };
    return { [Symbol.asyncIterator]: () => ({ next }) };
  }
}

function watch(onReconnect: () => void = () => undefined): { watch: JetStreamStallWatch; nc: FakeConnection; logger: RecordingLogger } {
  const nc = new FakeConnection();
  const logger = new RecordingLogger();
  return { watch: new JetStreamStallWatch(nc as unknown as NatsConnection, 'save-handler', logger, [250, 500, 1000, 2000], onReconnect), nc, logger };
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('JetStreamStallWatch', () => {
  describe('heartbeatsMissed', () => {
    it('reports a stall without asking for the consumer to be checked, and the next answer ends it', () => {
      const { watch: subject, logger } = watch();

      subject.heartbeatsMissed();
      expect(subject.healthy).to.equal(false);
      expect(subject.takeConsumerSuspect()).to.equal(false);
      subject.serverAnswered();

      expect(subject.healthy).to.equal(true);
      expect(logger.find(/stalled; pulling again/, 'warn')).not.to.equal(undefined);
      expect(logger.find(/receiving again/, 'info')).not.to.equal(undefined);
    });
  });

  describe('failed', () => {
    it('asks for the consumer to be checked and paces the attempts, repeating the last pause', () => {
      const { watch: subject } = watch();

      const delays = [1, 2, 3, 4, 5].map(() => subject.failed('no responders'));

      expect(delays).to.deep.equal([250, 500, 1000, 2000, 2000]);
      expect(subject.takeConsumerSuspect()).to.equal(true);
      expect(subject.healthy).to.equal(false);
    });
  });

  describe('pullEnded', () => {
    it('does not count a pull ended early as one the server left unanswered', () => {
      const { watch: subject } = watch();

      subject.pullEnded(false, true);
      subject.pullEnded(false, true);

      expect(subject.healthy).to.equal(true);
    });

    it('reports a stall after two pulls the server did not answer, and asks for the consumer to be checked', () => {
      const { watch: subject } = watch();

      subject.pullEnded(false);
      expect(subject.healthy).to.equal(true);
      subject.pullEnded(false);

      expect(subject.healthy).to.equal(false);
      expect(subject.takeConsumerSuspect()).to.equal(true);
    });
  });

  describe('after a reconnect', () => {
    it('lets the pull loop ask again at once, without asking for the consumer to be checked', async () => {
      let reconnects = 0;
      const { watch: subject, nc } = watch(() => { reconnects += 1; });

      nc.report(Events.Disconnect);
      await turn();
      expect(subject.healthy).to.equal(false);
      nc.report(Events.Reconnect);
      await turn();

      expect(reconnects).to.equal(1);
      expect(subject.healthy).to.equal(true);
      expect(subject.takeConsumerSuspect()).to.equal(false);
      subject.close();
    });
  });
});
