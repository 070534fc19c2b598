import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import request from 'supertest';
import type { AnalyticsSummary } from '@signup/domain';
import { loadConfiguration, readSignUpSettings } from '@signup/adapters/config';
import { RecordingLogger } from '@signup/adapters/memory';
import { WebHost } from '../../src/composition/web-host.js';
import { waitUntil } from '@signup/test-support/wait-until';

const FORM = {
  firstName: 'Katherine',
  lastName: 'Johnson',
  emailAddress: 'katherine@example.com',
  companyName: 'NASA',
  countryCode: 'USA',
  roleCode: 'AC',
};

function settingsFor(folder: string, env: Record<string, string>) {
  return readSignUpSettings(loadConfiguration({
    cwd: folder,
    env: { ConnectionStrings__SignUpDb: `sqlite:${path.join(folder, 'signup.db')}`, ...env },
  }));
}

function countRows(folder: string, email: string, table: 'Prospects' | 'ProspectIndex' = 'Prospects'): number {
  const db = new Database(path.join(folder, 'signup.db'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE EmailAddress = ?`).get(email) as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('WebHost on SQLite', () => {
  describe('in synchronous mode without a bus (Outbox:Enabled=false, as the v4 topology runs it)', () => {
    let folder: string;
    let host: WebHost;
    let logger: RecordingLogger;

    before(async () => {
      folder = mkdtempSync(path.join(tmpdir(), 'signup-web-sync-'));
      logger = new RecordingLogger();
      host = await WebHost.create(settingsFor(folder, { Dependencies__IProspectSaveHandler: 'SynchronousProspectSaveHandler', Outbox__Enabled: 'false' }), { logger });
    });

    after(async () => {
      await host?.stop();
      rmSync(folder, { recursive: true, force: true });
    });

    it('logs the chosen implementations in one line', () => {
      const lines = logger.lines.filter((line) => line.message.startsWith('Dependencies: '));
      expect(lines).to.have.length(1);
      expect(lines[0]?.message).to.contain('IProspectSaveHandler=SynchronousProspectSaveHandler');
      expect(lines[0]?.message).to.contain('IReferenceDataLoader=DatabaseReferenceDataLoader');
    });

    it('saves a form post into Prospects before redirecting', async () => {
      const submissionId = 'c0a8012e-7f4b-4d2a-9c3e-5b6a7d8e9f01';
      await request(host.app.callback()).post('/app/SignUp').type('form').send({ ...FORM, submissionId }).expect(303);
      expect(countRows(folder, FORM.emailAddress)).to.equal(1);
      await request(host.app.callback()).post('/app/SignUp').type('form').send({ ...FORM, submissionId }).expect(303);
      expect(countRows(folder, FORM.emailAddress), 'a double submit saves once').to.equal(1);
    });

    it('answers 201 with the new prospect id from the JSON API', async () => {
      const res = await request(host.app.callback()).post('/api/prospects').send({ ...FORM, emailAddress: 'kj2@example.com' }).expect(201);
      expect(res.body).to.have.property('prospectId').that.is.a('number');
    });

    it('serves the seeded reference data', async () => {
      const res = await request(host.app.callback()).get('/api/roles').expect(200);
      expect(res.body).to.deep.include({ roleCode: 'AC', roleName: 'Architect' });
    });

    it('is ready, checking the database', async () => {
      const res = await request(host.app.callback()).get('/health/ready').expect(200);
      expect(res.body).to.deep.equal({ status: 'ready', checks: { database: 'ok', 'reference-data': 'ok' } });
    });

    it('keeps the analytics off without Analytics:Password, saying in one line which key turns them on', async () => {
      await request(host.app.callback()).get('/app/Analytics').expect(404);
      await request(host.app.callback()).get('/api/analytics/summary').expect(404);
      expect(logger.messages().filter((line) => line.startsWith('Analytics:'))).to.deep.equal([
        'Analytics: off (/app/Analytics answers 404); set Analytics:Password to turn them on',
      ]);
    });

    it('counts the saves under the synchronous handler', async () => {
      const res = await request(host.app.callback()).get('/metrics').expect(200);
      expect(res.text).to.match(/prospect_saves_total\{handler="SynchronousProspectSaveHandler"\} [1-9]/);
    });
  });

  describe('in all-in-one asynchronous mode', () => {
    let folder: string;
    let host: WebHost;
    let logger: RecordingLogger;

    before(async () => {
      folder = mkdtempSync(path.join(tmpdir(), 'signup-web-async-'));
      logger = new RecordingLogger();
      // Output that is not a terminal (a log that may leave the machine): the password goes to a file.
      host = await WebHost.create(settingsFor(folder, {}), {
        logger, analyticsPassword: { terminal: false, passwordFile: path.join(folder, 'data', 'analytics-password') },
      });
    });

    after(async () => {
      await host?.stop();
      rmSync(folder, { recursive: true, force: true });
    });

    it('queues the sign-up and the in-process save handler stores it', async () => {
      const res = await request(host.app.callback()).post('/api/prospects').send(FORM).expect(202);
      expect(res.body).to.have.property('correlationId');
      await waitUntil(() => (countRows(folder, FORM.emailAddress) === 1 ? true : undefined));
    });

    it('indexes the sign-up into the analytics read model in the same SQLite file, through the in-process index handler', async () => {
      await request(host.app.callback()).post('/api/prospects').send({ ...FORM, emailAddress: 'indexed@example.com' }).expect(202);
      await waitUntil(() => (countRows(folder, 'indexed@example.com', 'ProspectIndex') === 1 ? true : undefined));
      const db = new Database(path.join(folder, 'signup.db'), { readonly: true, fileMustExist: true });
      try {
        expect(db.prepare('SELECT FullName, CountryName, RoleName FROM ProspectIndex WHERE EmailAddress = ?').get('indexed@example.com'))
          .to.deep.equal({ FullName: 'Katherine Johnson', CountryName: 'United States', RoleName: 'Architect' });
      } finally {
        db.close();
      }
      expect(logger.messages().filter((line) => line.startsWith('Prospect indexed; event ID:'))).to.have.length(2);
    });

    it('turns the analytics on with a password generated at start into data/analytics-password (0600), logging only its path, reading what the index handler wrote', async () => {
      const [line, ...more] = logger.messages().filter((message) => message.startsWith('Analytics:'));
      expect(more).to.deep.equal([]);
      const file = path.join(folder, 'data', 'analytics-password');
      const password = readFileSync(file, 'utf8').trim();
      expect(password).to.have.length.above(20);
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      expect(line).to.equal(`Analytics: /app/Analytics for the user "admin" with the password generated at start in ${file} `
        + '(readable by this user only; set Analytics:Password to choose one)');
      expect(JSON.stringify(logger.lines)).to.not.contain(password);
      await request(host.app.callback()).get('/api/analytics/summary').expect(401);
      await request(host.app.callback()).get('/api/analytics/summary').auth('admin', 'not-the-password').expect(401);

      const res = await request(host.app.callback()).get('/api/analytics/summary').auth('admin', password).expect(200);
      const summary = res.body as AnalyticsSummary;
      expect(summary.total).to.equal(2);
      expect(summary.byCountry).to.deep.equal([{ countryCode: 'USA', countryName: 'United States', count: 2 }]);
      expect(summary.byRole).to.deep.equal([{ roleCode: 'AC', roleName: 'Architect', count: 2 }]);
    });

    it('is ready, checking the database and the in-process save and index handlers', async () => {
      const res = await request(host.app.callback()).get('/health/ready').expect(200);
      expect(res.body).to.deep.equal({
        status: 'ready', checks: { database: 'ok', 'reference-data': 'ok', 'save-handler': 'ok', 'index-handler': 'ok' },
      });
    });

    it('stores and indexes what is still queued when stopped', async () => {
      await request(host.app.callback()).post('/app/SignUp').type('form').send({ ...FORM, emailAddress: 'last@example.com' }).expect(303);
      await host.stop();
      expect(countRows(folder, 'last@example.com')).to.equal(1);
      expect(countRows(folder, 'last@example.com', 'ProspectIndex')).to.equal(1);
    });
  });

  describe('with the repository chosen by configuration', () => {
    let folder: string;
    let host: WebHost;
    let logger: RecordingLogger;

    before(async () => {
      folder = mkdtempSync(path.join(tmpdir(), 'signup-web-memory-'));
      logger = new RecordingLogger();
      host = await WebHost.create(settingsFor(folder, {
        Dependencies__IProspectSaveHandler: 'SynchronousProspectSaveHandler',
        Dependencies__IProspectRepository: 'InMemoryProspectRepository',
      }), { logger });
    });

    after(async () => {
      await host?.stop();
      rmSync(folder, { recursive: true, force: true });
    });

    it('saves through InMemoryProspectRepository, not into the Prospects table', async () => {
      const res = await request(host.app.callback()).post('/api/prospects').send(FORM).expect(201);

      expect(res.body).to.have.property('prospectId', 1);
      expect(countRows(folder, FORM.emailAddress)).to.equal(0);
      expect(logger.lines.map((line) => line.message)).to.include(
        'Dependencies: IProspectSaveHandler=SynchronousProspectSaveHandler, IProspectRepository=InMemoryProspectRepository, IReferenceDataLoader=DatabaseReferenceDataLoader',
      );
      expect(logger.messages('warn')).to.deep.equal(['IProspectRepository=InMemoryProspectRepository keeps prospects in this process only: they are lost when it stops']);
    });

    it('is ready without checking the database, which only served the cached reference data', async () => {
      const res = await request(host.app.callback()).get('/health/ready').expect(200);
      expect(res.body).to.deep.equal({ status: 'ready', checks: { 'reference-data': 'ok' } });
    });
  });
});
