import { PROSPECT_SIGNED_UP_SUBJECT } from '../../../src/nats/index.js';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { OTLP_SPAN_KIND, OtlpTraceReceiver, type ReceivedSpan } from '@signup/test-support/otlp-trace-receiver';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { AckPolicy, connect, DeliverPolicy, headers as natsHeaders, type Msg, type MsgHdrs, type NatsConnection } from 'nats';
import { RecordingLogger } from '../../../src/memory/index.js';
import { createNatsMessaging, ensureSignUpStream, SIGNUP_EVENTS_STREAM } from '../../../src/nats/index.js';
import { MessagingTracer } from '../../../src/tracing/messaging-tracer.js';
import { startTracing, type Tracing } from '../../../src/tracing/start-tracing.js';
import { extractTraceContext, injectTraceContext, traceContextHeaders } from '../../../src/tracing/trace-context-propagation.js';
import { FakeHandler } from '../nats/fake-handler.js';
import { waitUntil } from '@signup/test-support/wait-until';
import { newProspectSignedUpEvent } from '@signup/test-support/test-events';

const SUBJECT = PROSPECT_SIGNED_UP_SUBJECT;
const PROCESS = `process ${SUBJECT}`;

describe('trace context through a real nats-server, exported over OTLP/HTTP JSON', function () {
  let server: NatsServer;
  let nc: NatsConnection;
  let receiver: OtlpTraceReceiver;
  let tracing: Tracing;
  let messaging: MessagingTracer;

  before(async function () {
    requireNatsServer(this);
    server = await NatsServer.start();
    nc = await connect({ servers: server.url });
    await ensureSignUpStream(nc);
    receiver = await OtlpTraceReceiver.start();
    tracing = await startTracing('signup-test', {
      OTEL_TRACES_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.baseUrl });
    messaging = new MessagingTracer(tracing.tracer!, { consumerGroup: 'save-handler' });
  });

  after(async () => {
    await tracing?.shutdown();
    await receiver?.close();
    await nc?.close();
    await server?.stop();
  });

  function processSpanOf(messageId: string): Promise<ReceivedSpan> {
    return receiver.waitForSpan((span) => span.name === PROCESS && span.attributes['messaging.message.id'] === messageId);
  }

  function nextMessage(): Promise<Msg> {
    const subscription = nc.subscribe(SUBJECT, { max: 1 });
    return (async () => {
      for await (const message of subscription) return message;
      throw new Error('subscription ended without a message');
    })();
  }

  async function handle(messageId: string, carried: MsgHdrs | undefined): Promise<void> {
    const message = messaging.receive(SUBJECT, { messageId, parent: extractTraceContext(carried) });
    await messaging.process(SUBJECT, message, () => Promise.resolve());
  }

  for (const mode of ['jetstream', 'core'] as const) {
    it(`carries the context from the ${mode} publisher to the ${mode} subscriber: process span under the publish span, batch span linked to it`, async () => {
      const messagingAdapters = await createNatsMessaging(nc, { mode }, new RecordingLogger(), { subscriber: { tracer: messaging, fetchExpiresMs: 1000 } });
      const handler = new FakeHandler(`trace-${mode}`, (event) => {
        if (event.prospect.lastName === 'Rejected') return { status: 'rejected', reason: 'unknown role XX' };
        return { status: 'done' };
      });
      const subscription = await messagingAdapters.subscriber.subscribe(handler);
      try {
        const event = newProspectSignedUpEvent();
        const rejected = newProspectSignedUpEvent({ lastName: 'Rejected' });
        await tracing.tracer!.startActiveSpan('POST /api/prospects', async (request) => {
          for (const published of [event, rejected]) {
            await messaging.publish(SUBJECT, published.correlationId, () => messagingAdapters.publisher.publish(published));
          }
          request.end();
        });
        await waitUntil(() => handler.received.includes(rejected.correlationId), { description: `the ${mode} handler to get both events` });
        await subscription.stop();
        await tracing.flush();

        const publish = await receiver.waitForSpan((span) => span.name === `publish ${SUBJECT}` && span.attributes['messaging.message.id'] === event.correlationId);
        const processed = await receiver.waitForSpan((span) => span.name === PROCESS && span.attributes['messaging.message.id'] === event.correlationId
          && span.attributes['messaging.consumer.group.name'] === handler.name);
        expect(processed.parentSpanId).to.equal(publish.spanId);
        expect(processed.status.code).to.equal(0);
        const batch = await receiver.waitForSpan((span) => span.name === PROCESS && span.links.some((link) => link.spanId === publish.spanId));
        expect(batch.attributes['messaging.batch.message_count']).to.be.a('number');
        const deadLettered = await processSpanOf(rejected.correlationId);
        expect(deadLettered.status.code).to.equal(2);
        expect(deadLettered.attributes['signup.failure.classification']).to.equal('dead-lettered');
      } finally {
        await subscription.stop();
      }
    });
  }

  it('makes the process span of a core NATS message a child of its publish span', async () => {
    const received = nextMessage();
    await tracing.tracer!.startActiveSpan('POST /api/prospects', async (request) => {
      await messaging.publish(SUBJECT, 'core-1', () => {
        nc.publish(SUBJECT, '{}', { headers: traceContextHeaders() });
        return nc.flush();
      });
      request.end();
    });
    await handle('core-1', (await received).headers);
    await tracing.flush();

    const process = await processSpanOf('core-1');
    const publish = receiver.parentOf(process)!;
    expect(publish).to.include({ name: `publish ${SUBJECT}`, kind: OTLP_SPAN_KIND.producer });
    expect(receiver.parentOf(publish)?.name).to.equal('POST /api/prospects');
    expect(receiver.spansOfTrace(process.traceId).map((span) => span.name).sort())
      .to.deep.equal(['POST /api/prospects', PROCESS, `publish ${SUBJECT}`, `receive ${SUBJECT}`].sort());
  });

  it('carries the context through JetStream next to Nats-Msg-Id, and a legacy message without headers starts its own trace', async () => {
    const jsm = await nc.jetstreamManager();
    await jsm.consumers.add(SIGNUP_EVENTS_STREAM, { durable_name: 'trace-test', ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.New });
    const js = nc.jetstream();
    await messaging.publish(SUBJECT, 'js-1', async () => {
      const carried = natsHeaders();
      carried.set('Nats-Msg-Id', 'js-1');
      injectTraceContext(carried);
      await js.publish(SUBJECT, '{}', { headers: carried, msgID: 'js-1' });
    });
    await js.publish(SUBJECT, '{"legacy":true}');

    const consumer = await js.consumers.get(SIGNUP_EVENTS_STREAM, 'trace-test');
    const ids: string[] = [];
    for await (const message of await consumer.fetch({ max_messages: 2, expires: 2000 })) {
      const id = message.headers?.get('Nats-Msg-Id') || 'legacy';
      ids.push(id);
      await handle(id, message.headers);
      message.ack();
      if (ids.length === 2) break;
    }
    expect(ids).to.deep.equal(['js-1', 'legacy']);
    await tracing.flush();

    const traced = await processSpanOf('js-1');
    expect(receiver.parentOf(traced)?.name).to.equal(`publish ${SUBJECT}`);
    const legacy = await processSpanOf('legacy');
    expect(legacy.traceId).not.to.equal(traced.traceId);
    const receive = receiver.parentOf(legacy)!;
    expect(receive).to.include({ name: `receive ${SUBJECT}`, parentSpanId: undefined });
    expect(receiver.spansOfTrace(legacy.traceId)).to.have.length(2);
  });
});
