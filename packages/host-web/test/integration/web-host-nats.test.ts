import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { expect } from 'chai';
import request from 'supertest';
import type { EventOutcome, IProspectEventHandler, ProspectSignedUpEvent } from '@signup/domain';
import { loadConfiguration, readSignUpSettings } from '@signup/adapters/config';
import { RecordingLogger } from '@signup/adapters/memory';
import { connectToMessageQueue, JetStreamEventSubscriber } from '@signup/adapters/nats';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { WebHost } from '../../src/composition/web-host.js';
import { waitUntil } from '@signup/test-support/wait-until';

const FORM = {
  firstName: 'Leslie',
  lastName: 'Lamport',
  emailAddress: 'leslie@example.com',
  countryCode: 'USA',
  roleCode: 'AC',
};

class RecordingHandler implements IProspectEventHandler {
  readonly name = 'host-web-test-handler';
  readonly events: ProspectSignedUpEvent[] = [];

  handle(events: readonly ProspectSignedUpEvent[]): Promise<EventOutcome[]> {
    this.events.push(...events);
    return Promise.resolve(events.map(() => ({ status: 'done' as const })));
  }
}

describe('WebHost publishing to NATS JetStream', function () {
  this.timeout(60_000);
  let server: NatsServer | undefined;
  let folder: string;
  let host: WebHost | undefined;
  let logger: RecordingLogger;

  before(async function () {
    requireNatsServer(this);
    server = await NatsServer.start();
    folder = mkdtempSync(path.join(tmpdir(), 'signup-web-nats-'));
    logger = new RecordingLogger();
    const settings = readSignUpSettings(loadConfiguration({
      cwd: folder,
      env: { ConnectionStrings__SignUpDb: `sqlite:${path.join(folder, 'signup.db')}`, MessageQueue__Url: server.url },
    }));
    host = await WebHost.create(settings, { logger, app: { readinessTimeoutMs: 2000 } });
  });

  after(async () => {
    await host?.stop();
    await server?.stop();
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  it('keeps the analytics off without Analytics:Password: 404, and one line at start naming the key', async () => {
    await request(host!.app.callback()).get('/app/Analytics').expect(404);
    await request(host!.app.callback()).get('/api/analytics/prospects.csv').expect(404);
    expect(logger.messages().filter((line) => line.startsWith('Analytics:'))).to.deep.equal([
      'Analytics: off (/app/Analytics answers 404); set Analytics:Password to turn them on',
    ]);
    expect(logger.messages().join('\n')).to.not.include('IProspectIndex');
  });

  it('turns the analytics on with Analytics:Password, reading the SQL read model the index handler writes', async () => {
    const analyticsLogger = new RecordingLogger();
    const settings = readSignUpSettings(loadConfiguration({
      cwd: folder,
      env: {
        ConnectionStrings__SignUpDb: `sqlite:${path.join(folder, 'signup.db')}`, MessageQueue__Url: server!.url,
        Analytics__Username: 'analyst', Analytics__Password: 'a long configured password',
      },
    }));
    const withAnalytics = await WebHost.create(settings, { logger: analyticsLogger });
    try {
      await request(withAnalytics.app.callback()).get('/api/analytics/summary').expect(401);
      const res = await request(withAnalytics.app.callback()).get('/api/analytics/summary').auth('analyst', 'a long configured password').expect(200);
      expect(res.body).to.deep.include({ total: 0, byCountry: [] });
      expect(analyticsLogger.messages()).to.include('Analytics: /app/Analytics for the user "analyst" with the configured Analytics:Password');
      expect(analyticsLogger.messages().join('\n')).to.include('IProspectIndex=SqlProspectIndex').and.not.include('a long configured password');
    } finally {
      await withAnalytics.stop();
    }
  });

  it('answers 202 once the event is stored in the stream, where a handler receives it', async () => {
    const res = await request(host!.app.callback()).post('/api/prospects').send(FORM).expect(202);
    const { correlationId } = res.body as { correlationId: string };

    const nc = await connectToMessageQueue({ url: server!.url, servers: [server!.url], mode: 'jetstream' }, new RecordingLogger());
    const handler = new RecordingHandler();
    const subscription = await new JetStreamEventSubscriber(nc, new RecordingLogger()).subscribe(handler);
    try {
      const event = await waitUntil(() => handler.events.find((e) => e.correlationId === correlationId));
      expect(event.prospect).to.deep.include({ firstName: 'Leslie', emailAddress: 'leslie@example.com' });
      expect(event.prospect.country).to.deep.equal({ countryCode: 'USA', countryName: 'United States' });
    } finally {
      await subscription.stop();
      await nc.drain();
    }
  });

  it('does not run the save handler in the web process', () => {
    expect(logger.messages().some((message) => message.includes('queue: save-handler'))).to.equal(false);
  });

  it('is ready, checking the message queue and the cached reference data but not the database', async () => {
    const res = await request(host!.app.callback()).get('/health/ready').expect(200);
    expect(res.body).to.deep.equal({ status: 'ready', checks: { 'message-queue': 'ok', 'reference-data': 'ok' } });
  });

  it('answers 503 with Retry-After and is not ready while NATS is down, and recovers when it is back', async () => {
    await server!.stop({ keepStore: true });
    const started = Date.now();
    const res = await request(host!.app.callback()).post('/app/SignUp').type('form').send(FORM).expect(503).expect('Retry-After', '5');
    expect(Date.now() - started).to.be.below(5000);
    expect(res.text).to.contain('nothing was saved');
    await request(host!.app.callback()).get('/health/ready').expect(503);

    await server!.restart();
    await waitUntil(async () => {
      const again = await request(host!.app.callback()).post('/api/prospects').send(FORM);
      return again.status === 202 ? true : undefined;
    }, { timeoutMs: 20_000 });
    await request(host!.app.callback()).get('/health/ready').expect(200);
  });
});
