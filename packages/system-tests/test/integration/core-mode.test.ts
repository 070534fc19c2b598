import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { connect, type NatsConnection } from 'nats';
import { encodeProspectSignedUpEvent } from '@signup/adapters/nats';
import { PROSPECT_SIGNED_UP_SUBJECT } from '@signup/adapters/nats';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { createTestDatabase, requirePostgres, type TestDatabase } from '@signup/test-support/postgres';
import { prospectEvent, ProspectsTable, startSaveHandler, waitUntil, type HostProcess } from '../../src/index.js';

describe('core mode: signup-handler save in a queue group on a NATS server without JetStream', function () {
  this.timeout(120_000);

  let nats: NatsServer;
  let database: TestDatabase;
  let table: ProspectsTable;
  let client: NatsConnection;
  const handlers: HostProcess[] = [];

  before(async function () {
    requireNatsServer(this);
    await requirePostgres(this);
    nats = await NatsServer.start({ jetstream: false });
    database = await createTestDatabase();
    table = new ProspectsTable(database.url);
    const env = { MessageQueue__Url: nats.url, MessageQueue__Mode: 'core', ConnectionStrings__SignUpDb: database.url };
    handlers.push(await startSaveHandler(env, 'signup-handler A'));
    handlers.push(await startSaveHandler(env, 'signup-handler B'));
    client = await connect({ servers: nats.url });
  });

  after(async () => {
    await Promise.all(handlers.map((host) => host.stop()));
    await client?.close();
    await table?.close();
    await database?.drop();
    await nats?.stop();
  });

  it('shares 1,000 events between two instances, each event stored once', async () => {
    const events = Array.from({ length: 1000 }, (_, i) => prospectEvent(i));
    for (const event of events) client.publish(PROSPECT_SIGNED_UP_SUBJECT, encodeProspectSignedUpEvent(event));
    await client.flush();

    await table.waitForCount(1000, 90_000);
    const savedLines = (host: HostProcess): number => host.matching('Prospect saved. Prospect ID:').length;
    await waitUntil(() => handlers.reduce((sum, host) => sum + savedLines(host), 0) >= 1000, {
      timeoutMs: 30_000, description: '1,000 "Prospect saved" lines',
    });

    const stored = await table.eventIds();
    expect(stored).to.have.length(1000);
    expect(new Set(stored)).to.deep.equal(new Set(events.map((event) => event.correlationId)));
    const [a, b] = handlers.map(savedLines);
    expect(a, 'instance A saved some').to.be.greaterThan(0);
    expect(b, 'instance B saved some').to.be.greaterThan(0);
    expect(a! + b!, 'no event handled by both').to.equal(1000);
  });
});
