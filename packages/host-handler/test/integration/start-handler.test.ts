import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { after, before, describe, it } from 'mocha';
import { RecordingLogger } from '@signup/adapters/memory';
import { connectToMessageQueue, createNatsMessaging, type NatsConnection } from '@signup/adapters/nats';
import { createKnex } from '@signup/adapters/sql';
import { type ProspectSignedUpEvent } from '@signup/domain';
import { waitUntil } from '@signup/test-support/wait-until';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { loadHandlerSettings } from '../../src/composition/load-handler-settings.js';
import { startHandler, type RunningHandler } from '../../src/composition/start-handler.js';
import { saveHandlerDefinition } from '../../src/handlers/save-handler-definition.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

describe('startHandler with the save handler and a real nats-server and SQLite', function () {
  this.timeout(60_000);

  let nats: NatsServer;
  let directory: string;
  let running: RunningHandler;
  let publisherConnection: NatsConnection;
  let knex: ReturnType<typeof createKnex>;
  const lines: string[] = [];
  let monitoring = '';

  before(async function () {
    requireNatsServer(this);
    nats = await NatsServer.start({ jetstream: true });
    directory = mkdtempSync(path.join(tmpdir(), 'signup-handler-it-'));
    const settings = loadHandlerSettings({
      cwd: directory,
      env: {
        MessageQueue__Url: nats.url,
        ConnectionStrings__SignUpDb: `sqlite:${directory}/signup.db`,
        Metrics__Server__Enabled: 'true',
        Metrics__Server__Port: String(await freePort()),
      },
    });
    running = await startHandler(saveHandlerDefinition, settings, { write: (line) => lines.push(line) });
    monitoring = `http://127.0.0.1:${running.monitoringPort}`;
    publisherConnection = await connectToMessageQueue(settings.messageQueue, new RecordingLogger());
    knex = createKnex(settings.database.connectionString);
  });

  after(async () => {
    await running?.stop();
    await publisherConnection?.close();
    await knex?.destroy();
    await nats?.stop();
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  it('stores a published event, reports ready and counts the save', async () => {
    const { publisher } = await createNatsMessaging(publisherConnection, { mode: 'jetstream' }, new RecordingLogger());
    const event: ProspectSignedUpEvent = {
      correlationId: '3f1c2d9e-8b7a-4c6d-9e0f-1a2b3c4d5e6f',
      signedUpAt: new Date('2026-11-23T10:00:00Z'),
      prospect: {
        firstName: 'Jo',
        lastName: 'Doe',
        companyName: 'Example Ltd',
        emailAddress: 'jo.doe@example.com',
        country: { countryCode: 'GBR', countryName: 'United Kingdom' },
        role: { roleCode: 'EN', roleName: 'Engineer' },
      },
    };

    await publisher.publish(event);
    const row = await waitUntil(async () => {
      const found = await knex('Prospects').where('EventId', event.correlationId).first<{ ProspectId: number } | undefined>();
      return found;
    }, { description: 'the prospect row' });
    const ready = await waitUntil(async () => {
      const response = await fetch(`${monitoring}/health/ready`);
      return response.status === 200 ? response : undefined;
    }, { description: 'readiness' });
    const metrics = await (await fetch(`${monitoring}/metrics`)).text();

    expect(await ready.json()).to.deep.include({ ready: true });
    expect(metrics).to.include('message_handler_events_total{handler="save-handler",status="done"} 1');
    expect(lines.join('\n')).to.include(`Prospect saved. Prospect ID: ${row.ProspectId}; event ID: ${event.correlationId}`)
      .and.include('j***@example.com').and.not.include('jo.doe@example.com');
  });

  it('stops cleanly and closes its metrics server', async () => {
    expect(await running.stop()).to.equal(true);

    let refused: unknown;
    try {
      await fetch(`${monitoring}/health/live`);
    } catch (error) {
      refused = error;
    }
    expect(refused, 'the metrics server is closed').to.be.instanceOf(Error);
    expect(lines.filter((line) => / (WARN|ERROR) /.test(line)), 'no warnings or errors while stopping').to.deep.equal([]);
  });
});
