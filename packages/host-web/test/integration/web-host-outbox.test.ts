import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import request from 'supertest';
import { loadConfiguration, readSignUpSettings } from '@signup/adapters/config';
import { RecordingLogger } from '@signup/adapters/memory';
import { connectToMessageQueue, encodeProspectSignedUpEvent, decodeProspectSignedUpEvent, PROSPECT_SIGNED_UP_SUBJECT, SIGNUP_EVENTS_STREAM } from '@signup/adapters/nats';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { WebHost } from '../../src/composition/web-host.js';
import { waitUntil } from '@signup/test-support/wait-until';
import { SIGN_UP_FORM } from '../support/sign-up-form.js';

const FORM = SIGN_UP_FORM;
const PASSWORD = 'outbox-analytics-password';

function settingsFor(folder: string, env: Record<string, string>) {
  return readSignUpSettings(loadConfiguration({
    cwd: folder,
    env: { ConnectionStrings__SignUpDb: `sqlite:${path.join(folder, 'signup.db')}`, Dependencies__IProspectSaveHandler: 'SynchronousProspectSaveHandler', ...env },
  }));
}

function count(folder: string, table: string): number {
  const db = new Database(path.join(folder, 'signup.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('WebHost with the transactional outbox', function () {
  this.timeout(60_000);

  describe('the all-in-one in synchronous mode (in-process bus)', function () {
    let folder: string;
    let host: WebHost;
    let logger: RecordingLogger;

    before(async () => {
      folder = mkdtempSync(path.join(tmpdir(), 'signup-web-outbox-'));
      logger = new RecordingLogger();
      host = await WebHost.create(settingsFor(folder, { Analytics__Password: PASSWORD }), { logger });
    });

    after(async () => {
      await host?.stop();
      rmSync(folder, { recursive: true, force: true });
    });

    it('saves a form sign-up, relays its event to the in-process handlers, and the analytics count it', async () => {
      await request(host.app.callback()).post('/app/SignUp').type('form')
        .send({ ...FORM, submissionId: '5b1f9a4e-8a57-4c0e-9d1e-0c6a2f3b4d5e' }).expect(303);
      expect(count(folder, 'Prospects')).to.equal(1);
      const summary = await waitUntil(async () => {
        const res = await request(host.app.callback()).get('/api/analytics/summary').auth('admin', PASSWORD).expect(200);
        return (res.body as { total: number }).total === 1 ? res.body as { total: number; byCountry: { countryCode: string; count: number }[] } : undefined;
      }, { timeoutMs: 10_000 });
      expect(summary.byCountry).to.deep.equal([{ countryCode: 'USA', countryName: 'United States', count: 1 }]);
      await waitUntil(() => (count(folder, 'ProspectOutbox') === 0 ? true : undefined), { timeoutMs: 5000 });
      expect(count(folder, 'Prospects'), 'the save handler saved nothing twice').to.equal(1);
    });

    it('answers 201 with the prospect id from the JSON API as before', async () => {
      const res = await request(host.app.callback()).post('/api/prospects').send({ ...FORM, emailAddress: 'grace2@example.com' }).expect(201);
      expect(res.body).to.have.property('prospectId').that.is.a('number');
    });

    it('counts the published rows on /metrics and reports an empty outbox', async () => {
      await waitUntil(() => (count(folder, 'ProspectOutbox') === 0 ? true : undefined), { timeoutMs: 5000 });
      const res = await request(host.app.callback()).get('/metrics').expect(200);
      expect(res.text).to.match(/^signup_outbox_published_total 2$/m);
      expect(res.text).to.match(/^signup_outbox_pending_rows 0$/m);
      expect(res.text).to.match(/^signup_outbox_oldest_pending_age_seconds 0$/m);
      expect(res.text).to.match(/^signup_outbox_relay_errors_total\{cause="queue"\} 0$/m);
    });

    it('is ready, with the relay\'s line', async () => {
      const res = await request(host.app.callback()).get('/health/ready').expect(200);
      expect(res.body).to.have.nested.property('checks.outbox relay', 'ok');
    });
  });

  describe('with Outbox:Enabled=false', function () {
    let folder: string;
    let host: WebHost;

    before(async () => {
      folder = mkdtempSync(path.join(tmpdir(), 'signup-web-outbox-off-'));
      host = await WebHost.create(settingsFor(folder, { Outbox__Enabled: 'false' }), { logger: new RecordingLogger() });
    });

    after(async () => {
      await host?.stop();
      rmSync(folder, { recursive: true, force: true });
    });

    it('saves as before, writes no outbox row and runs no relay and no handler', async () => {
      await request(host.app.callback()).post('/api/prospects').send(FORM).expect(201);
      expect(count(folder, 'Prospects')).to.equal(1);
      expect(count(folder, 'ProspectOutbox')).to.equal(0);
      const ready = await request(host.app.callback()).get('/health/ready').expect(200);
      expect(Object.keys((ready.body as { checks: object }).checks)).to.deep.equal(['database', 'reference-data']);
    });
  });

  describe('publishing to NATS JetStream', function () {
    let server: NatsServer | undefined;
    let folder: string;
    let host: WebHost | undefined;
    let logger: RecordingLogger;

    before(async function () {
      requireNatsServer(this);
      server = await NatsServer.start();
      folder = mkdtempSync(path.join(tmpdir(), 'signup-web-outbox-nats-'));
      logger = new RecordingLogger();
      host = await WebHost.create(settingsFor(folder, { MessageQueue__Url: server.url, MessageQueue__Encoding: 'utf-16le' }), { logger, app: { readinessTimeoutMs: 2000 } });
    });

    after(async () => {
      await host?.stop();
      await server?.stop();
      if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
    });

    async function storedMessage(correlationId: string): Promise<{ data: Uint8Array; msgId: string | undefined }> {
      const nc = await connectToMessageQueue({ url: server!.url, servers: [server!.url], mode: 'jetstream' }, new RecordingLogger());
      try {
        const jsm = await nc.jetstreamManager();
        return await waitUntil(async () => {
          const info = await jsm.streams.info(SIGNUP_EVENTS_STREAM);
          for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq += 1) {
            const message = await jsm.streams.getMessage(SIGNUP_EVENTS_STREAM, { seq }).catch(() => undefined);
            if (message === undefined || message.subject !== PROSPECT_SIGNED_UP_SUBJECT) continue;
            if (decodeProspectSignedUpEvent(message.data).correlationId === correlationId) {
              return { data: message.data, msgId: message.header?.get('Nats-Msg-Id') };
            }
          }
          return undefined;
        }, { timeoutMs: 10_000 });
      } finally {
        await nc.drain();
      }
    }

    it('answers 201, and the relay stores the event in the stream as the publisher would, Nats-Msg-Id = EventId', async () => {
      const res = await request(host!.app.callback()).post('/api/prospects').send(FORM).expect(201);
      const { correlationId } = res.body as { correlationId: string };
      const stored = await storedMessage(correlationId);
      expect(stored.msgId).to.equal(correlationId);
      const event = decodeProspectSignedUpEvent(stored.data);
      expect(Buffer.compare(Buffer.from(stored.data), Buffer.from(encodeProspectSignedUpEvent(event, 'utf-16le')))).to.equal(0);
      expect(stored.data[1], 'UTF-16LE, as MessageQueue:Encoding says').to.equal(0);
      await waitUntil(() => (count(folder, 'ProspectOutbox') === 0 ? true : undefined), { timeoutMs: 5000 });
    });

    it('keeps answering 201 while NATS is down, stays ready with the relay waiting, and publishes the backlog when it is back', async () => {
      await server!.stop({ keepStore: true });
      const ids: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        const res = await request(host!.app.callback()).post('/api/prospects').send({ ...FORM, emailAddress: `down${i}@example.com` }).expect(201);
        ids.push((res.body as { correlationId: string }).correlationId);
      }
      expect(count(folder, 'ProspectOutbox')).to.equal(3);
      const ready = await waitUntil(async () => {
        const res = await request(host!.app.callback()).get('/health/ready');
        return (res.body as { checks: Record<string, string> }).checks['outbox relay'] === 'waiting for the message queue' ? res : undefined;
      }, { timeoutMs: 10_000 });
      expect(ready.status).to.equal(200);
      expect(logger.messages().some((message) => message.includes('outbox relay: waiting for the message queue'))).to.equal(true);
      const metrics = await waitUntil(async () => {
        const res = await request(host!.app.callback()).get('/metrics').expect(200);
        return Number(/^signup_outbox_relay_errors_total\{cause="queue"\} (\d+)$/m.exec(res.text)?.[1]) > 0 ? res : undefined;
      }, { timeoutMs: 10_000 });
      expect(metrics.text).to.match(/^signup_outbox_pending_rows 3$/m);
      expect(Number(/^signup_outbox_oldest_pending_age_seconds (\S+)$/m.exec(metrics.text)?.[1])).to.be.above(0);

      await server!.restart();
      for (const id of ids) await storedMessage(id);
      await waitUntil(() => (count(folder, 'ProspectOutbox') === 0 ? true : undefined), { timeoutMs: 20_000 });
      await waitUntil(async () => {
        const res = await request(host!.app.callback()).get('/health/ready');
        return (res.body as { checks: Record<string, string> }).checks['outbox relay'] === 'ok' ? true : undefined;
      }, { timeoutMs: 10_000 });
    });
  });
});
