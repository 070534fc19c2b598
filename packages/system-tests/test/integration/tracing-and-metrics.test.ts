import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { connect, type NatsConnection } from 'nats';
import { PROSPECT_SIGNED_UP_SUBJECT } from '@signup/adapters/nats';
import { freePort } from '@signup/test-support/free-port';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { OTLP_SPAN_KIND, OtlpTraceReceiver, type ReceivedSpan } from '@signup/test-support/otlp-trace-receiver';
import { createTestDatabase, requirePostgres, type TestDatabase } from '@signup/test-support/postgres';
import {
  legacyEncoding, postProspect, prospectEvent, prospectFields, ProspectsTable, startSaveHandler, startWeb, waitUntil,
  type HostProcess, type WebHost,
} from '../../src/index.js';

const PUBLISH = `publish ${PROSPECT_SIGNED_UP_SUBJECT}`;
const RECEIVE = `receive ${PROSPECT_SIGNED_UP_SUBJECT}`;
const PROCESS = `process ${PROSPECT_SIGNED_UP_SUBJECT}`;

const isBatch = (span: ReceivedSpan): boolean => span.attributes['messaging.batch.message_count'] !== undefined;

/** The value of one sample of the Prometheus text, or undefined when it is not there. */
function sample(metrics: string, name: string, labels: string): number | undefined {
  const line = metrics.split('\n').find((candidate) => candidate.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('tracing and pipeline metrics across signup-web and signup-handler save (NATS JetStream, PostgreSQL)', function () {
  this.timeout(120_000);

  let nats: NatsServer;
  let database: TestDatabase;
  let table: ProspectsTable;
  let receiver: OtlpTraceReceiver;
  let web: WebHost;
  let handler: HostProcess | undefined;
  let client: NatsConnection;
  let metricsPort: number;

  const tracingEnv = (): Record<string, string> => ({
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.baseUrl,
    // The batch processor's delay before sending, so the test does not wait the default 5 s.
    OTEL_BSP_SCHEDULE_DELAY: '200',
  });
  const handlerEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
    MessageQueue__Url: nats.url,
    ConnectionStrings__SignUpDb: database.url,
    Metrics__Server__Enabled: 'true',
    Metrics__Server__Port: String(metricsPort),
    ...tracingEnv(),
    ...extra,
  });
  const scrape = async (): Promise<string> => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();

  before(async function () {
    requireNatsServer(this);
    await requirePostgres(this);
    nats = await NatsServer.start({ jetstream: true });
    database = await createTestDatabase();
    table = new ProspectsTable(database.url);
    receiver = await OtlpTraceReceiver.start();
    metricsPort = await freePort();
    web = await startWeb({
      Dependencies__IProspectSaveHandler: 'AsynchronousProspectSaveHandler',
      MessageQueue__Url: nats.url,
      ConnectionStrings__SignUpDb: database.url,
      ...tracingEnv(),
    });
    handler = await startSaveHandler(handlerEnv());
    client = await connect({ servers: nats.url });
  });

  after(async () => {
    await Promise.all([handler?.stop(), web?.process.stop()]);
    await client?.close();
    await receiver?.close();
    await table?.close();
    await database?.drop();
    await nats?.stop();
  });

  it('makes one sign-up one trace: the handler\'s process span descends from the web\'s publish span, and its batch span links to it', async () => {
    const correlationId = randomUUID();
    expect((await postProspect(web.url, prospectFields(1), correlationId)).status).to.equal(202);
    await table.waitForEvent(correlationId);

    const ofEvent = (name: string, service: string) => (span: ReceivedSpan): boolean =>
      span.name === name && span.serviceName === service && span.attributes['messaging.message.id'] === correlationId && !isBatch(span);
    const publish = await receiver.waitForSpan(ofEvent(PUBLISH, 'signup-web'));
    const processed = await receiver.waitForSpan(ofEvent(PROCESS, 'signup-handler'));
    const received = await receiver.waitForSpan(ofEvent(RECEIVE, 'signup-handler'));
    const batch = await receiver.waitForSpan((span) => span.name === PROCESS && isBatch(span)
      && span.links.some((link) => link.spanId === publish.spanId));
    const insert = await receiver.waitForSpan((span) => span.name === 'INSERT Prospects' && span.parentSpanId === batch.spanId);

    const server = receiver.parentOf(publish);
    expect(server?.name).to.equal('POST /api/prospects');
    expect(server?.kind).to.equal(OTLP_SPAN_KIND.server);
    expect(receiver.spansOfTrace(publish.traceId).some((span) => span.name === 'validate prospect' && span.parentSpanId === server?.spanId)).to.equal(true);
    expect(publish.kind).to.equal(OTLP_SPAN_KIND.producer);
    expect(publish.attributes['messaging.system']).to.equal('nats');
    expect(processed.traceId).to.equal(publish.traceId);
    expect(receiver.isDescendantOf(processed, publish)).to.equal(true);
    expect(receiver.isDescendantOf(received, publish)).to.equal(true);
    expect(new Set(receiver.spansOfTrace(publish.traceId).map((span) => span.serviceName))).to.deep.equal(new Set(['signup-web', 'signup-handler']));
    expect(receiver.linkedFrom(batch).map((span) => span.spanId)).to.include(publish.spanId);
    expect(insert.kind).to.equal(OTLP_SPAN_KIND.client);
    expect(insert.attributes['db.system.name']).to.equal('postgresql');
    expect(insert.serviceName).to.equal('signup-handler');
  });

  it('gives a legacy message without headers a trace of its own', async () => {
    const event = prospectEvent(2);
    client.publish(PROSPECT_SIGNED_UP_SUBJECT, legacyEncoding(event));
    await client.flush();
    await table.waitForEvent(event.correlationId);

    const processed = await receiver.waitForSpan((span) => span.name === PROCESS && !isBatch(span)
      && span.attributes['messaging.message.id'] === event.correlationId);
    const root = receiver.parentOf(processed);
    expect(root?.name).to.equal(RECEIVE);
    expect(root?.parentSpanId).to.equal(undefined);
    expect(receiver.spansOfTrace(processed.traceId).every((span) => span.serviceName === 'signup-handler')).to.equal(true);
  });

  it('shows the backlog in the lag gauges when the handler starts behind, and zero once it caught up', async () => {
    expect(await handler!.stop()).to.deep.equal({ code: 0, signal: null });
    handler = undefined;
    const ids = Array.from({ length: 60 }, () => randomUUID());
    const responses = await Promise.all(ids.map((id, i) => postProspect(web.url, prospectFields(100 + i), id)));
    expect(responses.map((response) => response.status).filter((status) => status !== 202)).to.deep.equal([]);
    const before = await table.count();

    // A slow sampling interval keeps the first sample, taken before the handler subscribes, on /metrics for a while.
    handler = await startSaveHandler(handlerEnv({ Metrics__ConsumerLag__IntervalSeconds: '4' }));
    const labels = 'stream="SIGNUP_EVENTS",consumer="save-handler"';
    const backlog = await waitUntil(async () => sample(await scrape(), 'signup_consumer_pending_messages', labels), {
      timeoutMs: 10_000, description: 'the first lag sample',
    });
    expect(backlog).to.equal(60);

    await table.waitForCount(before + 60);
    const caughtUp = await waitUntil(async () => {
      const text = await scrape();
      const pending = sample(text, 'signup_consumer_pending_messages', labels);
      const ackPending = sample(text, 'signup_consumer_ack_pending_messages', labels);
      return pending === 0 && ackPending === 0 ? text : undefined;
    }, { timeoutMs: 20_000, description: 'the lag gauges to come back to 0' });
    expect(sample(caughtUp, 'signup_consumer_redelivered_messages', labels)).to.equal(0);
    expect(sample(caughtUp, 'signup_dead_letter_messages', 'stream="SIGNUP_DEADLETTER"')).to.equal(0);
    expect(sample(caughtUp, 'signup_handler_batch_size_sum', 'handler="save-handler"')).to.equal(60);
    expect(sample(caughtUp, 'signup_publish_to_commit_seconds_count', 'handler="save-handler"')).to.equal(60);
    expect(sample(caughtUp, 'signup_handler_ready', 'handler="save-handler"')).to.equal(1);

    const webMetrics = await (await fetch(`${web.url}/metrics`)).text();
    expect(sample(webMetrics, 'signup_publish_duration_seconds_count', 'mode="jetstream"')).to.equal(61);
  });
});
