import { describe, it } from 'mocha';
import { expect } from 'chai';
import request from 'supertest';
import {
  DatabaseUnavailableError, QueueUnavailableError, SignUpError, SignUpProspect, type IProspectSaveHandler,
} from '@signup/domain';
import { ConsoleLogger } from '@signup/adapters/logging';
import { InMemoryReferenceDataLoader } from '@signup/adapters/memory';
import { createApp } from '../../../src/http/create-app.js';
import { WebMetrics } from '../../../src/http/web-metrics.js';
import { expectNoInternalDetail, expectOnlyAppMarkup, expectSecurityHeaders } from '../../support/response-checks.js';

const PASSWORD = 'Pa55w0rd-7Q';
const NATS_PASSWORD = 'N4ts-S3cret-9';
const EMAIL = 'ada.lovelace@example.com';
const SIGN_UP = { firstName: 'Ada', lastName: 'Lovelace', emailAddress: EMAIL, countryCode: 'GBR', roleCode: 'EN' };

/** Failures a save can end in, each carrying detail a client must never see and secrets a log must never show. */
const FAILURES: readonly (readonly [string, () => unknown, number])[] = [
  ['a driver error with SQL, a file path and a connection string', () => new Error(
    `insert into "Prospects" ("EmailAddress") values ('${EMAIL}') - SQLITE_IOERR at /srv/signup/node_modules/knex/lib/runner.js:12:5 `
    + `via postgres://signup:${PASSWORD}@db.internal:5432/signup`,
  ), 500],
  ['a programming error', () => new TypeError("Cannot read properties of undefined (reading 'prospectId')"), 500],
  ['a thrown string', () => `boom for ${EMAIL}`, 500],
  ['a permanent SignUpError with a cause', () => new SignUpError('UNKNOWN_REFERENCE_CODE', `FK violation for ${EMAIL}`, {
    cause: new Error(`Server=db.internal;Database=SignUp;User Id=sa;Password=${PASSWORD};`),
  }), 500],
  ['a foreign error that carries an HTTP status', () => Object.assign(
    new Error(`GET http://svc:${PASSWORD}@refdata.internal/countries answered 404 for ${EMAIL}`), { status: 404, statusCode: 404 },
  ), 500],
  ['the database being down', () => new DatabaseUnavailableError(`connect ECONNREFUSED db.internal:5432 (postgres://signup:${PASSWORD}@db.internal:5432/signup)`, {
    cause: new Error(`password authentication failed for user "signup"; Password=${PASSWORD};`),
  }), 503],
  ['the queue being down', () => new QueueUnavailableError(`nats://signup:${NATS_PASSWORD}@broker.internal:4222 did not confirm ${EMAIL}`), 503],
];

interface FailingApp {
  readonly callback: ReturnType<ReturnType<typeof createApp>['callback']>;
  readonly lines: string[];
}

function failingApp(failure: () => unknown, format: 'text' | 'json'): FailingApp {
  const lines: string[] = [];
  const logger = new ConsoleLogger({ name: 'signup-web', level: 'debug', format, write: (line) => lines.push(line) });
  const referenceData = new InMemoryReferenceDataLoader();
  const saveHandler: IProspectSaveHandler = {
    name: 'FailingProspectSaveHandler',
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- a rejection with a non-Error is one of the failures under test
    save: () => Promise.reject(failure()),
  };
  const app = createApp({
    signUp: new SignUpProspect(referenceData, saveHandler),
    referenceData,
    healthChecks: [],
    logger,
    metrics: new WebMetrics({ defaultMetrics: false }),
    saveHandlerName: saveHandler.name,
  });
  return { callback: app.callback(), lines };
}

function expectNoSecret(text: string, context: string): void {
  for (const secret of [PASSWORD, NATS_PASSWORD, EMAIL, 'db.internal', 'broker.internal', 'refdata.internal']) {
    expect(text.includes(secret), `${context} shows "${secret}"`).to.equal(false);
  }
}

describe('answers and logs when a save fails with internal detail', () => {
  for (const [title, failure, status] of FAILURES) {
    describe(`after ${title}`, () => {
      it(`answers the form ${status} with a generic page and no internal detail`, async () => {
        const t = failingApp(failure, 'text');
        const res = await request(t.callback).post('/app/SignUp').type('form').send(SIGN_UP).expect(status);
        expectSecurityHeaders(res);
        expect(res.headers['content-type']).to.match(/^text\/html/);
        expectNoInternalDetail(res.text, 'form');
        expectNoSecret(res.text, 'the page');
        expectOnlyAppMarkup(res.text, 'the page');
        if (status === 503) {
          expect(res.headers['retry-after']).to.match(/^\d+$/);
          expect(res.text).to.contain('nothing was saved');
        }
      });

      it(`answers the API ${status} with a generic message and no internal detail`, async () => {
        const t = failingApp(failure, 'text');
        const res = await request(t.callback).post('/api/prospects').send(SIGN_UP).expect(status);
        expectSecurityHeaders(res);
        expect(Object.keys(res.body as object)).to.deep.equal(['message']);
        expectNoInternalDetail(res.text, 'API');
        expectNoSecret(res.text, 'the answer');
      });

      for (const format of ['text', 'json'] as const) {
        it(`logs it once, as ${format}, with emails and credentials masked even at debug level`, async () => {
          const t = failingApp(failure, format);
          await request(t.callback).post('/api/prospects').send(SIGN_UP).expect(status);
          expect(t.lines, 'log lines').to.have.length(1);
          for (const line of t.lines) {
            expect(line.includes(PASSWORD) || line.includes(NATS_PASSWORD), `password in: ${line}`).to.equal(false);
            expect(line.includes(EMAIL), `raw email in: ${line}`).to.equal(false);
            expect(line).to.not.match(/[\r\n\u2028\u2029]/);
          }
        });
      }
    });
  }
});
