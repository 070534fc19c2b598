import { PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT } from '../../../src/nats/index.js';
import { eventBusContract, type EventBusUnderTest, type ObservedDeadLetter } from '@signup/test-support';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { before, describe } from 'mocha';
import { connect } from 'nats';
import { InMemoryEventBus, RecordingLogger } from '../../../src/memory/index.js';
import {
  createNatsMessaging,
  DEAD_LETTER_HANDLER_HEADER,
  DEAD_LETTER_REASON_HEADER,
  decodeProspectSignedUpEvent,
} from '../../../src/nats/index.js';

const RETRY_DELAYS_MS = [100, 200];

eventBusContract('InMemoryEventBus', () => {
  const bus = new InMemoryEventBus({ batchSize: 5, retryDelaysMs: RETRY_DELAYS_MS });
  return Promise.resolve({
    publisher: bus,
    subscriber: bus,
    capabilities: { durable: true },
    deadLetters: () => Promise.resolve(bus.deadLetters.map((letter) => ({
      handler: letter.handler, reason: letter.reason, correlationId: letter.event.correlationId,
    }))),
    close: () => bus.close(),
  });
});

/** A private nats-server for the suite, the messaging adapters of `mode`, and a tap on the dead-letter subject. */
async function natsBus(mode: 'jetstream' | 'core'): Promise<EventBusUnderTest> {
  const server = await NatsServer.start({ jetstream: mode === 'jetstream' });
  const nc = await connect({ servers: server.url });
  const messaging = await createNatsMessaging(nc, { mode }, new RecordingLogger(), {
    publisher: { timeoutMs: 2000 },
    subscriber: { batchSize: 5, fetchExpiresMs: 1000, retryDelaysMs: RETRY_DELAYS_MS },
  });
  const deadLetters: ObservedDeadLetter[] = [];
  nc.subscribe(PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, {
    callback: (_error, message) => {
      let correlationId: string | undefined;
      try {
        correlationId = decodeProspectSignedUpEvent(message.data).correlationId;
      } catch {
        correlationId = undefined;
      }
      deadLetters.push({
        handler: message.headers?.get(DEAD_LETTER_HANDLER_HEADER) ?? '',
        reason: message.headers?.get(DEAD_LETTER_REASON_HEADER) ?? '',
        correlationId,
      });
    },
  });
  await nc.flush();
  return {
    publisher: messaging.publisher,
    subscriber: messaging.subscriber,
    capabilities: { durable: mode === 'jetstream' },
    deadLetters: () => Promise.resolve([...deadLetters]),
    close: async () => {
      await nc.close();
      await server.stop();
    },
  };
}

describe('NATS JetStream', function () {
  before(function () {
    requireNatsServer(this);
  });

  eventBusContract('JetStreamEventSubscriber', () => natsBus('jetstream'));
});

describe('NATS core (MessageQueue:Mode=core)', function () {
  before(function () {
    requireNatsServer(this);
  });

  eventBusContract('CoreNatsEventSubscriber', () => natsBus('core'));
});
