import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { connect, type Msg, type NatsConnection } from 'nats';
import { DEAD_LETTER_HANDLER_HEADER, DEAD_LETTER_REASON_HEADER, encodeProspectSignedUpEvent } from '@signup/adapters/nats';
import { PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, PROSPECT_SIGNED_UP_SUBJECT } from '@signup/adapters/nats';
import { freePort } from '@signup/test-support/free-port';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { createTestDatabase, requirePostgres, type TestDatabase } from '@signup/test-support/postgres';
import {
  legacyEncoding, LISTENING_LINE, postProspect, postSignUpForm, prospectEvent, prospectFields, ProspectsTable,
  startSaveHandler, startWeb, waitUntil, type HostProcess, type WebHost,
} from '../../src/index.js';

describe('asynchronous save: signup-web publishes, signup-handler save stores', function () {
  this.timeout(120_000);

  let nats: NatsServer;
  let database: TestDatabase;
  let table: ProspectsTable;
  let web: WebHost;
  let handler: HostProcess;
  let handlerMetricsPort: number;
  let client: NatsConnection;
  const handlers: HostProcess[] = [];

  // The server requires a user and password, so the hosts' URLs carry credentials that must never reach a log.
  const natsUrl = (): string => nats.url.replace('nats://', 'nats://signup:s3cret-pa55@');
  const handlerEnv = (): Record<string, string> => ({
    MessageQueue__Url: natsUrl(),
    ConnectionStrings__SignUpDb: database.url,
    Metrics__Server__Enabled: 'true',
    Metrics__Server__Port: String(handlerMetricsPort),
  });

  async function startHandler(): Promise<HostProcess> {
    handlerMetricsPort = await freePort();
    const started = await startSaveHandler(handlerEnv(), `signup-handler #${handlers.length + 1}`);
    handlers.push(started);
    return started;
  }

  before(async function () {
    requireNatsServer(this);
    await requirePostgres(this);
    nats = await NatsServer.start({ jetstream: true, extraArgs: ['--user', 'signup', '--pass', 's3cret-pa55'] });
    database = await createTestDatabase();
    table = new ProspectsTable(database.url);
    web = await startWeb({
      Dependencies__IProspectSaveHandler: 'AsynchronousProspectSaveHandler',
      MessageQueue__Url: natsUrl(),
      ConnectionStrings__SignUpDb: database.url,
    });
    handler = await startHandler();
    client = await connect({ servers: nats.url, user: 'signup', pass: 's3cret-pa55' });
  });

  after(async () => {
    await Promise.all([...handlers.map((host) => host.stop()), web?.process.stop()]);
    await client?.close();
    await table?.close();
    await database?.drop();
    await nats?.stop();
  });

  it('stores each of 26 form sign-ups exactly once', async () => {
    const submissionIds: string[] = Array.from({ length: 26 }, () => randomUUID());
    const before = await table.count();

    const responses = await Promise.all(submissionIds.map((submissionId, i) =>
      postSignUpForm(web.url, prospectFields(i, { submissionId }))));

    expect(responses.map((response) => response.status)).to.deep.equal(submissionIds.map(() => 303));
    expect(responses[0]!.headers.get('location')).to.match(/\/app\/ThankYou$/);
    await table.waitForCount(before + 26);
    const stored = (await table.eventIds()).filter((id) => submissionIds.includes(id));
    expect(stored).to.have.length(26);
    expect(new Set(stored)).to.deep.equal(new Set(submissionIds));
  });

  it('stores every sign-up accepted while the handler was stopped once it runs again', async () => {
    expect(await handler.stop()).to.deep.equal({ code: 0, signal: null });
    const ids: string[] = Array.from({ length: 500 }, () => randomUUID());
    const statuses: number[] = [];
    for (let start = 0; start < ids.length; start += 25) {
      const batch = ids.slice(start, start + 25);
      const responses = await Promise.all(batch.map((id, i) => postProspect(web.url, prospectFields(start + i), id)));
      statuses.push(...responses.map((response) => response.status));
    }
    expect(statuses.filter((status) => status !== 202), 'every sign-up accepted').to.deep.equal([]);
    const idSet = new Set(ids);
    expect((await table.eventIds()).filter((id) => idSet.has(id)), 'nothing stored while stopped').to.deep.equal([]);
    const before = await table.count();

    const startedAt = performance.now();
    handler = await startHandler();
    const listeningAt = performance.now();
    await table.waitForCount(before + 500, 90_000, 20);
    const doneAt = performance.now();

    const stored = (await table.eventIds()).filter((id) => idSet.has(id));
    expect(stored).to.have.length(500);
    expect(new Set(stored).size).to.equal(500);
    // Reported, never asserted: the handler's own timestamps, from "Listening" to the 500th save.
    const savedLines = await handler.waitForLines('Prospect saved.', 500);
    const logged = (line: string): number => Date.parse(line.slice(0, line.indexOf(' ')));
    const handlerSeconds = (logged(savedLines[499]!) - logged(handler.matching(LISTENING_LINE)[0]!)) / 1000;
    const testSeconds = (doneAt - listeningAt) / 1000;
    const rate = (seconds: number): string => `${seconds.toFixed(2)} s = ${(500 / seconds).toFixed(0)} events/s`;
    console.log(`      handler drain of 500 events: ${rate(testSeconds)} (test clock, from "Listening" to 500 rows);`
      + ` ${rate(handlerSeconds)} (handler log timestamps); ${rate((doneAt - startedAt) / 1000)} including process start`);
  });

  async function publishEvents(count: number, firstIndex: number): Promise<string[]> {
    const js = client.jetstream();
    const events = Array.from({ length: count }, (_, i) => prospectEvent(firstIndex + i));
    for (let start = 0; start < events.length; start += 50) {
      await Promise.all(events.slice(start, start + 50).map((event) =>
        js.publish(PROSPECT_SIGNED_UP_SUBJECT, encodeProspectSignedUpEvent(event), { msgID: event.correlationId })));
    }
    return events.map((event) => event.correlationId);
  }

  async function expectStoredOnce(ids: readonly string[], timeoutMs: number): Promise<void> {
    const wanted = new Set(ids);
    const stored = await waitUntil(async () => {
      const found = (await table.eventIds()).filter((id) => wanted.has(id));
      return found.length >= ids.length ? found : undefined;
    }, { timeoutMs, intervalMs: 250, description: `${ids.length} events stored` });
    expect(stored).to.have.length(ids.length);
    expect(new Set(stored).size).to.equal(ids.length);
  }

  it('finishes the batch in hand on SIGTERM and exits 0; the next instance stores the rest, each once', async () => {
    const savedBefore = handler.matching('Prospect saved.').length;
    const ids = await publishEvents(300, 2000);
    await handler.waitForLines('Prospect saved.', savedBefore + 1);

    const exit = await handler.stop();
    expect(exit).to.deep.equal({ code: 0, signal: null });
    expect(handler.matching(/Closing .* failed/), 'a clean shutdown').to.deep.equal([]);
    handler = await startHandler();
    await expectStoredOnce(ids, 60_000);
  });

  it('loses nothing when killed with SIGKILL mid-stream: what was not acknowledged is redelivered to the next instance', async () => {
    const savedBefore = handler.matching('Prospect saved.').length;
    const ids = await publishEvents(300, 3000);
    await handler.waitForLines('Prospect saved.', savedBefore + 1);

    expect(await handler.kill()).to.deep.equal({ code: null, signal: 'SIGKILL' });
    handler = await startHandler();
    // Unacknowledged messages come back once the consumer's ack wait (30 s) has passed.
    await expectStoredOnce(ids, 90_000);
  });

  it('stores one row for an event published twice and again later under another message id', async () => {
    const js = client.jetstream();
    const event = prospectEvent(1000);
    const data = encodeProspectSignedUpEvent(event);

    const first = await js.publish(PROSPECT_SIGNED_UP_SUBJECT, data, { msgID: event.correlationId });
    const second = await js.publish(PROSPECT_SIGNED_UP_SUBJECT, data, { msgID: event.correlationId });
    // As if published again after the 2-minute dedupe window: JetStream stores it, the database must not.
    const third = await js.publish(PROSPECT_SIGNED_UP_SUBJECT, data, { msgID: randomUUID() });

    expect([first.duplicate, second.duplicate, third.duplicate]).to.deep.equal([false, true, false]);
    await handler.waitForLines(`event ID: ${event.correlationId}`, 2);
    expect(await table.rowsFor(event.correlationId)).to.have.length(1);
  });

  it('stores an event in the legacy encoding: UTF-16LE PascalCase JSON with a BOM, published with core NATS', async () => {
    const event = prospectEvent(1001, { emailAddress: 'legacy.user@example.com' });

    client.publish(PROSPECT_SIGNED_UP_SUBJECT, legacyEncoding(event));
    await client.flush();

    const [row] = await table.waitForEvent(event.correlationId);
    expect(row).to.include({ emailAddress: 'legacy.user@example.com', roleCode: 'EN' });
  });

  it('dead-letters poison messages with the reason in headers and still stores the next good one', async () => {
    const deadLetters: Msg[] = [];
    const subscription = client.subscribe(PROSPECT_SIGNED_UP_DEAD_LETTER_SUBJECT, {
      callback: (error, message) => {
        if (error === null) deadLetters.push(message);
      },
    });
    await client.flush();
    const js = client.jetstream();
    const unknownRole = prospectEvent(1002, { roleCode: 'ZZ' });
    const good = prospectEvent(1003);

    await js.publish(PROSPECT_SIGNED_UP_SUBJECT, new TextEncoder().encode('this is not JSON'), { msgID: randomUUID() });
    await js.publish(PROSPECT_SIGNED_UP_SUBJECT, encodeProspectSignedUpEvent(unknownRole), { msgID: unknownRole.correlationId });
    await js.publish(PROSPECT_SIGNED_UP_SUBJECT, encodeProspectSignedUpEvent(good), { msgID: good.correlationId });

    await table.waitForEvent(good.correlationId);
    await waitUntil(() => deadLetters.length >= 2, { timeoutMs: 30_000, description: 'two dead letters' });
    subscription.unsubscribe();

    const described = deadLetters.map((message) => ({
      body: new TextDecoder().decode(message.data),
      headers: Object.fromEntries([...(message.headers?.keys() ?? [])].map((key) => [key, message.headers!.get(key)])),
    }));
    const notJson = described.find((letter) => letter.body === 'this is not JSON');
    const badRole = described.find((letter) => letter.body.includes(unknownRole.correlationId));
    expect(notJson, 'the undecodable message is dead-lettered as it was').to.not.equal(undefined);
    expect(badRole, 'the event with an unknown role is dead-lettered').to.not.equal(undefined);
    expect(notJson!.headers).to.include({ [DEAD_LETTER_HANDLER_HEADER]: 'save-handler' });
    expect(notJson!.headers[DEAD_LETTER_REASON_HEADER]).to.match(/json/i);
    expect(badRole!.headers).to.include({ [DEAD_LETTER_HANDLER_HEADER]: 'save-handler' });
    expect(badRole!.headers[DEAD_LETTER_REASON_HEADER]).to.match(/role/i);
    expect(await table.rowsFor(unknownRole.correlationId)).to.deep.equal([]);
  });

  it('logs connecting, listening, each message and each save, with the email and the NATS credentials masked', async () => {
    const event = prospectEvent(1004, { emailAddress: 'jo.doe@example.com' });
    client.publish(PROSPECT_SIGNED_UP_SUBJECT, encodeProspectSignedUpEvent(event));
    await client.flush();
    const [row] = await table.waitForEvent(event.correlationId);
    await handler.waitForLine(`event ID: ${event.correlationId}`);

    const logs = [...handlers.flatMap((host) => host.lines), ...web.process.lines];
    expect(handler.matching(/Connecting to message queue url: nats:\/\/\*\*\*:\*\*\*@127\.0\.0\.1:\d+/)).to.have.length(1);
    expect(handler.matching(LISTENING_LINE)).to.have.length(1);
    expect(handler.matching(new RegExp(`${event.correlationId}.*j\\*\\*\\*@example\\.com`)), 'the received line').to.have.length(1);
    expect(handler.matching(`Prospect saved. Prospect ID: ${row!.prospectId}; event ID: ${event.correlationId}`)).to.have.length(1);
    expect(logs.filter((line) => line.includes('s3cret-pa55')), 'no NATS password in the handler or web logs').to.deep.equal([]);
    expect(logs.filter((line) => /[^*\s]@example\.com/.test(line)), 'no unmasked email in the logs').to.deep.equal([]);
  });

  it('serves readiness and counts saved and rejected events on its metrics server', async () => {
    const base = `http://127.0.0.1:${handlerMetricsPort}`;

    const ready = await fetch(`${base}/health/ready`);
    const live = await fetch(`${base}/health/live`);
    const metrics = await (await fetch(`${base}/metrics`)).text();

    expect(live.status).to.equal(200);
    expect(ready.status).to.equal(200);
    expect(await ready.json()).to.deep.include({ ready: true });
    const saved = /message_handler_events_total\{handler="save-handler",status="done"\} (\d+)/.exec(metrics);
    expect(Number(saved?.[1])).to.be.greaterThan(0);
    expect(metrics).to.match(/message_handler_events_total\{handler="save-handler",status="rejected"\} [1-9]/);
    expect(metrics).to.include('nodejs_eventloop_lag_seconds');
  });
});
