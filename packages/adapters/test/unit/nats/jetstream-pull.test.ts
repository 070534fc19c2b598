import { expect } from 'chai';
import { describe, it } from 'mocha';
import { ConsumerDebugEvents, ConsumerEvents, type Consumer, type ConsumerMessages, type ConsumerStatus, type JsMsg } from 'nats';
import { JetStreamPull } from '../../../src/nats/jetstream-pull.js';
import type { PullObserver } from '../../../src/nats/jetstream-stall-watch.js';

/** A fetch as the nats client hands it out: messages and statuses as they arrive, until stopped. */
class FakeFetch {
  stopped = false;
  private readonly messages: JsMsg[] = [];
  private readonly statuses: ConsumerStatus[] = [];
  private wakeMessages: (() => void) | undefined;
  private wakeStatuses: (() => void) | undefined;

  deliver(message: JsMsg): void {
    this.messages.push(message);
    this.wake();
  }

  report(status: ConsumerStatus): void {
    this.statuses.push(status);
    this.wake();
  }

  stop(): void {
    this.stopped = true;
    this.wake();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<JsMsg> {
    for (;;) {
      const message = this.messages.shift();
      if (message !== undefined) yield message;
      else if (this.stopped) return;
      else await new Promise<void>((resolve) => { this.wakeMessages = resolve; });
    }
  }

  status(): Promise<AsyncIterable<ConsumerStatus>> {
    const next = async (): Promise<IteratorResult<ConsumerStatus>> => {
      for (;;) {
        const status = this.statuses.shift();
        if (status !== undefined) return { value: status, done: false };
        if (this.stopped) return { value: undefined, done: true };
        await new Promise<void>((resolve) => { this.wakeStatuses = resolve; });
      }
    };
    return Promise.resolve({ [Symbol.asyncIterator]: () => ({ next }) });
  }

  private wake(): void {
    this.wakeMessages?.();
    this.wakeStatuses?.();
  }
}

class RecordingObserver implements PullObserver {
  readonly events: string[] = [];
  serverAnswered(): void { this.events.push('answered'); }
  heartbeatsMissed(): void { this.events.push('heartbeats missed'); }
  consumerLost(): void { this.events.push('consumer lost'); }
}

async function openPull(): Promise<{ pull: JetStreamPull; fetch: FakeFetch; observer: RecordingObserver }> {
  const fetch = new FakeFetch();
  const consumer = { fetch: () => Promise.resolve(fetch as unknown as ConsumerMessages) } as unknown as Consumer;
  const observer = new RecordingObserver();
  const pull = await JetStreamPull.open(consumer, { batchSize: 10, fetchExpiresMs: 5000, idleHeartbeatMs: 1000 }, observer);
  return { pull, fetch, observer };
}

const message = (seq: number): JsMsg => ({ seq }) as unknown as JsMsg;

describe('JetStreamPull', () => {
  describe('receive', () => {
    it('ends at once when the server cancels the request with a 409, such as a consumer leader change', async () => {
      const { pull, fetch, observer } = await openPull();
      const receiving = pull.receive(() => undefined);

      fetch.report({ type: ConsumerDebugEvents.DebugEvent, data: '409 leadership change' });
      const result = await receiving;

      expect(fetch.stopped).to.equal(true);
      expect(result).to.deep.include({ answered: false, endedEarly: '409 leadership change', error: undefined });
      expect(observer.events).to.deep.equal([]);
    });

    it('ends at once and reports it when the promised heartbeats do not come', async () => {
      const { pull, fetch, observer } = await openPull();
      const receiving = pull.receive(() => undefined);

      fetch.report({ type: ConsumerEvents.HeartbeatsMissed, data: 2 });
      const result = await receiving;

      expect(fetch.stopped).to.equal(true);
      expect(result).to.deep.include({ answered: false, endedEarly: 'missed heartbeats' });
      expect(observer.events).to.deep.equal(['heartbeats missed']);
    });

    it('passes on the messages that arrived before it was ended', async () => {
      const { pull, fetch } = await openPull();
      const received: JsMsg[] = [];
      const receiving = pull.receive((arrived) => received.push(arrived));
      fetch.deliver(message(1));
      fetch.deliver(message(2));

      pull.end('reconnected');
      const result = await receiving;

      expect(received.map((arrived) => arrived.seq)).to.deep.equal([1, 2]);
      expect(result).to.deep.include({ answered: true, endedEarly: 'reconnected' });
    });

    it('runs until the server ends it when a status does not end the request', async () => {
      const { pull, fetch } = await openPull();
      let ended = false;
      const receiving = pull.receive(() => undefined).finally(() => { ended = true; });

      fetch.report({ type: ConsumerDebugEvents.DebugEvent, data: '408 request timeout' });
      await new Promise((resolve) => setImmediate(resolve));
      expect(ended).to.equal(false);
      fetch.stop();
      const result = await receiving;

      expect(result.endedEarly).to.equal(undefined);
    });

    it('reports a consumer the server says is gone', async () => {
      const { pull, fetch, observer } = await openPull();
      const receiving = pull.receive(() => undefined);

      fetch.report({ type: ConsumerEvents.NoResponders, data: '503 No Responders' });
      fetch.stop();
      await receiving;

      expect(observer.events).to.deep.equal(['consumer lost']);
    });
  });
});
