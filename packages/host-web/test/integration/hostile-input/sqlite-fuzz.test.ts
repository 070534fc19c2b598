import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import request from 'supertest';
import { isCorrelationId, type Prospect } from '@signup/domain';
import { loadConfiguration, readSignUpSettings } from '@signup/adapters/config';
import { RecordingLogger } from '@signup/adapters/memory';
import { WebHost } from '../../../src/composition/web-host.js';
import {
  expectApiAnswer, expectFormAnswer, expectNoPrototypePollution, prototypeKeys, sendApiRequest, sendFormRequest,
} from '../../support/answer-checks.js';
import { CaseTally, fuzzParameters } from '../../support/fuzz-settings.js';
import { HTML_INJECTIONS, PROTOTYPE_KEYS, SQL_INJECTIONS } from '../../support/hostile-strings.js';
import {
  apiRequests, formRequests, predictApiAnswer, predictFormAnswer, withSubmissionId, type AnswerExpectation,
} from '../../support/sign-up-requests.js';

const RUNS = 300;

interface ProspectRow {
  readonly ProspectId: number;
  readonly FirstName: string;
  readonly LastName: string;
  readonly CompanyName: string;
  readonly EmailAddress: string;
  readonly CountryCode: string;
  readonly RoleCode: string;
  readonly EventId: string;
  readonly SignedUpAt: string;
}

function columnsOf(prospect: Prospect): Omit<ProspectRow, 'ProspectId' | 'EventId' | 'SignedUpAt'> {
  return {
    FirstName: prospect.firstName,
    LastName: prospect.lastName,
    CompanyName: prospect.companyName,
    EmailAddress: prospect.emailAddress,
    CountryCode: prospect.country.countryCode,
    RoleCode: prospect.role.roleCode,
  };
}

// Every generated UUID is replaced by a fresh one when sent, so cases cannot collide on the
// idempotency key in the one database the suite shares, even while fast-check shrinks.
const hostileRequest = fc.oneof(
  apiRequests.map((api) => ({ transport: 'api' as const, api })),
  formRequests.map((form) => ({ transport: 'form' as const, form })),
);

describe('WebHost on SQLite under hostile input (property-based)', function () {
  this.timeout(300_000);
  let folder: string;
  let host: WebHost;
  let callback: ReturnType<WebHost['app']['callback']>;
  let db: Database.Database;
  const logger = new RecordingLogger();

  const count = (): number => (db.prepare('SELECT COUNT(*) AS n FROM Prospects').get() as { n: number }).n;
  const rowByEventId = (eventId: string): ProspectRow | undefined =>
    db.prepare('SELECT * FROM Prospects WHERE EventId = ?').get(eventId) as ProspectRow | undefined;
  const lastRow = (): ProspectRow | undefined => db.prepare('SELECT * FROM Prospects ORDER BY ProspectId DESC LIMIT 1').get() as ProspectRow | undefined;
  const referenceRows = (): unknown[] => [
    ...db.prepare('SELECT * FROM Countries ORDER BY CountryCode').all(),
    ...db.prepare('SELECT * FROM Roles ORDER BY RoleCode').all(),
  ];
  const tables = (): string[] => (db.prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'index', 'trigger', 'view') ORDER BY name").all() as { name: string }[])
    .map((row) => row.name);

  before(async () => {
    folder = mkdtempSync(path.join(tmpdir(), 'signup-web-hostile-'));
    const file = path.join(folder, 'signup.db');
    const settings = readSignUpSettings(loadConfiguration({
      cwd: folder,
      env: { ConnectionStrings__SignUpDb: `sqlite:${file}`, Dependencies__IProspectSaveHandler: 'SynchronousProspectSaveHandler' },
    }));
    host = await WebHost.create(settings, { logger });
    callback = host.app.callback();
    db = new Database(file, { readonly: true, fileMustExist: true });
  });

  after(async () => {
    db?.close();
    await host?.stop();
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  it('stores valid input verbatim through parameterised SQL and nothing for invalid input, never answering 5xx', async () => {
    const tally = new CaseTally();
    const rowsBefore = count();
    const referenceBefore = referenceRows();
    const tablesBefore = tables();
    const prototypeBefore = prototypeKeys();

    await fc.assert(fc.asyncProperty(hostileRequest, async (generated) => {
      const before = count();
      let expected: AnswerExpectation;
      let eventId: string | undefined;
      if (generated.transport === 'api') {
        const key = isCorrelationId(generated.api.idempotencyKey) ? randomUUID() : generated.api.idempotencyKey;
        const api = { ...generated.api, idempotencyKey: key };
        expected = predictApiAnswer(api);
        eventId = expectApiAnswer(await sendApiRequest(callback, api), expected, 'saved');
      } else {
        const submissionId = randomUUID();
        const form = withSubmissionId(generated.form, submissionId);
        expected = predictFormAnswer(form);
        expectFormAnswer(await sendFormRequest(callback, form), form, expected);
        eventId = expected.kind === 'saved' && expected.correlationId !== undefined ? submissionId : undefined;
      }
      tally.count(expected.kind === 'saved');
      expectNoPrototypePollution(prototypeBefore);

      if (expected.kind !== 'saved') {
        expect(count(), 'rows after an invalid request').to.equal(before);
        return;
      }
      expect(count(), 'rows after a valid request').to.equal(before + 1);
      const row = eventId === undefined ? lastRow() : rowByEventId(eventId);
      expect(row, 'the stored row').to.not.equal(undefined);
      const { ProspectId: _id, EventId: storedEventId, SignedUpAt: signedUpAt, ...columns } = row!;
      expect(columns).to.deep.equal(columnsOf(expected.prospect));
      expect(isCorrelationId(storedEventId)).to.equal(true);
      expect(Date.now() - Date.parse(signedUpAt), 'SignedUpAt is the time of the request').to.be.within(0, 60_000);
    }), fuzzParameters(RUNS));

    expect(count() - rowsBefore, 'one row per valid case').to.equal(tally.valid);
    expect(tally.valid, 'valid cases exercised').to.be.greaterThan(tally.total / 10);
    expect(tally.invalid, 'invalid cases exercised').to.be.greaterThan(tally.total / 10);
    expect(referenceRows(), 'reference data untouched').to.deep.equal(referenceBefore);
    expect(tables(), 'schema untouched').to.deep.equal(tablesBefore);
    expect(logger.messages('error'), 'unhandled errors logged').to.deep.equal([]);
  });

  it('stores every SQL and HTML injection string exactly as typed', async () => {
    const samples = [...SQL_INJECTIONS, ...HTML_INJECTIONS, ...PROTOTYPE_KEYS];
    for (const [index, text] of samples.entries()) {
      const key = randomUUID();
      const res = await request(callback).post('/api/prospects').set('Idempotency-Key', key)
        .send({ firstName: text, lastName: `${text} ${index}`, companyName: text, emailAddress: `o'hara+${index}@example.com`, countryCode: 'IRE', roleCode: 'OP' })
        .expect(201);
      expect(rowByEventId(key)).to.deep.include({
        ProspectId: (res.body as { prospectId: number }).prospectId,
        FirstName: text,
        LastName: `${text} ${index}`,
        CompanyName: text,
        EmailAddress: `o'hara+${index}@example.com`,
        CountryCode: 'IRE',
        RoleCode: 'OP',
      });
    }
    expect(tables()).to.include.members(['Countries', 'Prospects', 'Roles']);
    expect(referenceRows()).to.have.length(20);
  });

  it('stores one row when the same form is submitted several times at once', async () => {
    const submissionId = randomUUID();
    const form = { firstName: "Robert'); DROP TABLE Prospects;--", lastName: 'Tables', emailAddress: 'bobby@example.com', submissionId };
    const answers = await Promise.all(Array.from({ length: 5 }, () => request(callback).post('/app/SignUp').type('form').send(form)));
    expect(answers.map((res) => res.status)).to.deep.equal([303, 303, 303, 303, 303]);
    expect(db.prepare('SELECT COUNT(*) AS n FROM Prospects WHERE EventId = ?').get(submissionId)).to.deep.equal({ n: 1 });
  });

  it('stores one row when an API call is retried several times at once with the same Idempotency-Key', async () => {
    const key = randomUUID();
    const body = { firstName: '<script>alert(1)</script>', lastName: 'Retry', emailAddress: 'retry@example.com' };
    const answers = await Promise.all(Array.from({ length: 5 }, () => request(callback).post('/api/prospects').set('Idempotency-Key', key.toUpperCase()).send(body)));
    expect(answers.map((res) => res.status)).to.deep.equal([201, 201, 201, 201, 201]);
    const ids = new Set(answers.map((res) => (res.body as { prospectId: number }).prospectId));
    expect(ids.size).to.equal(1);
    expect(rowByEventId(key)).to.deep.include({ ProspectId: [...ids][0], FirstName: '<script>alert(1)</script>' });
    expect(db.prepare('SELECT COUNT(*) AS n FROM Prospects WHERE EventId = ?').get(key)).to.deep.equal({ n: 1 });
  });
});
