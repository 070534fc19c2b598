import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { expect } from 'chai';
import Database from 'better-sqlite3';
import request from 'supertest';
import { type ILogger } from '@signup/domain';
import { ConfigurationError } from '@signup/adapters/config';
import { loadConfiguration, readSignUpSettings } from '@signup/adapters/config';
import { describeError } from '@signup/adapters/hosting';
import { InMemoryReferenceDataLoader } from '@signup/adapters/memory';
import { NatsServer, requireNatsServer } from '@signup/test-support/nats-server';
import { createTestDatabase, requirePostgres, type TestDatabase } from '@signup/test-support/postgres';
import { WebHost } from '../../../src/composition/web-host.js';
import { capturingLogger, expectMasked } from '../../support/log-lines.js';
import { freePort } from '../web-process.js';
import { waitUntil } from '@signup/test-support/wait-until';

const DB_PASSWORD = 'Db-Pa55w0rd-4711';
// Where an all-in-one started here writes its generated analytics password (its output is a log).
const PASSWORD_FOLDER = mkdtempSync(path.join(tmpdir(), 'signup-log-masking-'));
const analyticsPassword = { terminal: false, passwordFile: path.join(PASSWORD_FOLDER, 'analytics-password') };
after(() => rmSync(PASSWORD_FOLDER, { recursive: true, force: true }));
const NATS_USER = 'signup';
const NATS_PASSWORD = 'Nats-S3cret-0815';

/** Sign-ups whose addresses a log must never show: ordinary, unicode, upper case, tagged. */
const SIGN_UPS = [
  { firstName: 'Ada', lastName: 'Lovelace', emailAddress: 'ada.lovelace@example.com', countryCode: 'GBR', roleCode: 'EN' },
  { firstName: 'Zoë', lastName: 'Ærøskøbing', emailAddress: 'zoë.æ@bücher.de', countryCode: 'DMK', roleCode: 'AC' },
  { firstName: 'Grace', lastName: 'Hopper', emailAddress: 'GRACE.HOPPER@NAVY.EXAMPLE.MIL', countryCode: 'USA', roleCode: 'CO' },
  { firstName: 'Tag', lastName: 'Ged', emailAddress: 'first.last+signup-2026@sub.example.co.uk', countryCode: '-', roleCode: '-' },
  { firstName: 'mail me at hidden.name@example.org', lastName: 'Name', emailAddress: 'n_a-m.e@example.io', companyName: 'see x.y@example.net' },
];
const EMAILS = [...SIGN_UPS.map((s) => s.emailAddress), 'hidden.name@example.org', 'x.y@example.net'];

/** The error reading the settings or starting the host ends in; undefined (after stopping it) if it starts. */
async function startFailure(env: Record<string, string>, logger: ILogger): Promise<unknown> {
  try {
    const host = await WebHost.create(readSignUpSettings(loadConfiguration({ env })), { logger, analyticsPassword });
    await host.stop();
    return undefined;
  } catch (error) {
    return error;
  }
}

async function signUpEveryWay(callback: ReturnType<WebHost['app']['callback']>, accepted: number): Promise<void> {
  for (const [index, signUp] of SIGN_UPS.entries()) {
    if (index % 2 === 0) await request(callback).post('/app/SignUp').type('form').send(signUp).expect(accepted === 202 ? 303 : accepted);
    else await request(callback).post('/api/prospects').send(signUp).expect(accepted);
  }
  // Invalid sign-ups carrying addresses, which are answered but must not be logged raw either.
  await request(callback).post('/api/prospects').send({ lastName: 'X', emailAddress: EMAILS[0] }).expect(400);
  await request(callback).post('/app/SignUp').type('form').send({ firstName: 'Y', emailAddress: `${EMAILS[1]}\n` }).expect(400);
}

describe('log lines of the web host', function () {
  this.timeout(60_000);

  for (const format of ['text', 'json'] as const) {
    describe(`all-in-one on SQLite, ${format} lines`, () => {
      let folder: string;
      const captured = capturingLogger(format);

      before(async () => {
        folder = mkdtempSync(path.join(tmpdir(), 'signup-web-logs-'));
        const settings = readSignUpSettings(loadConfiguration({
          cwd: folder,
          env: { ConnectionStrings__SignUpDb: `sqlite:${path.join(folder, 'signup.db')}` },
        }));
        const host = await WebHost.create(settings, { logger: captured.logger, analyticsPassword });
        try {
          await signUpEveryWay(host.app.callback(), 202);
          const db = new Database(path.join(folder, 'signup.db'), { readonly: true, fileMustExist: true });
          try {
            await waitUntil(() => ((db.prepare('SELECT COUNT(*) AS n FROM Prospects').get() as { n: number }).n === SIGN_UPS.length ? true : undefined));
          } finally {
            db.close();
          }
        } finally {
          await host.stop();
        }
      });

      after(() => {
        if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
      });

      it('logs each sign-up the in-process save handler receives, with the address masked', () => {
        for (const { emailAddress } of SIGN_UPS) {
          const [first = ''] = emailAddress;
          const masked = `${first}***${emailAddress.slice(emailAddress.lastIndexOf('@'))}`;
          expect(captured.lines.some((line) => line.includes(masked)), `a line with ${masked}`).to.equal(true);
        }
      });

      it('shows no email address unmasked in any line', () => {
        expectMasked(captured.lines, [], EMAILS);
      });
    });
  }

  describe('PostgreSQL and NATS URLs carrying passwords', () => {
    let nats: NatsServer | undefined;
    let database: TestDatabase | undefined;
    const captured = capturingLogger('text');
    let natsUrl: string;
    let databaseUrl: string;

    before(async function () {
      requireNatsServer(this);
      await requirePostgres(this);
      nats = await NatsServer.start({ extraArgs: ['--user', NATS_USER, '--pass', NATS_PASSWORD] });
      database = await createTestDatabase();
      natsUrl = `nats://${NATS_USER}:${NATS_PASSWORD}@127.0.0.1:${nats.port}`;
      // The local server trusts its clients, so the password is carried everywhere but never checked.
      const url = new URL(database.url);
      url.password = DB_PASSWORD;
      databaseUrl = url.href;

      const settings = readSignUpSettings(loadConfiguration({
        env: { ConnectionStrings__SignUpDb: databaseUrl, MessageQueue__Url: natsUrl },
      }));
      const host = await WebHost.create(settings, { logger: captured.logger, analyticsPassword });
      try {
        await signUpEveryWay(host.app.callback(), 202);
        const ready = await request(host.app.callback()).get('/health/ready').expect(200);
        expect(JSON.stringify(ready.body)).to.not.contain(NATS_PASSWORD);
      } finally {
        await host.stop();
      }

      const failure = await startFailure(
        { ConnectionStrings__SignUpDb: databaseUrl, MessageQueue__Url: natsUrl.replace(NATS_PASSWORD, `${NATS_PASSWORD}-wrong`) },
        captured.logger,
      );
      expect(failure, 'a start with a wrong NATS password fails').to.not.equal(undefined);
      captured.logger.error(`Could not start: ${describeError(failure)}`);
    });

    after(async () => {
      await nats?.stop();
      await database?.drop();
    });

    it('logs where it connects, with the credentials masked', () => {
      expect(captured.lines.some((line) => line.includes(`Connecting to message queue url: nats://***:***@127.0.0.1:${nats?.port}`))).to.equal(true);
      expect(captured.lines.some((line) => /Connecting to database: postgres:\/\/[^ ]*\*\*\*@127\.0\.0\.1:5432\//.test(line))).to.equal(true);
    });

    it('shows no password and no email address in any line, including the failed start', () => {
      expect(captured.lines.some((line) => line.includes('Could not start:'))).to.equal(true);
      expectMasked(captured.lines, [DB_PASSWORD, NATS_PASSWORD], EMAILS);
    });
  });

  describe('an unreachable database whose connection string carries a password', () => {
    const cases: readonly (readonly [string, (port: number) => string])[] = [
      ['a PostgreSQL URL', (port) => `postgres://signup:${DB_PASSWORD}@127.0.0.1:${port}/signup`],
      ['an ADO.NET string', (port) => `Server=127.0.0.1,${port};Database=SignUp;User Id=sa;Password=${DB_PASSWORD};TrustServerCertificate=true`],
    ];

    for (const [title, connectionString] of cases) {
      it(`never shows the password of ${title} in a log line or an answer`, async () => {
        const captured = capturingLogger('text');
        const settings = readSignUpSettings(loadConfiguration({
          env: {
            ConnectionStrings__SignUpDb: connectionString(await freePort()),
            Database__Migrate: 'false',
            Dependencies__IProspectSaveHandler: 'SynchronousProspectSaveHandler',
          },
        }));
        const host = await WebHost.create(settings, {
          logger: captured.logger,
          analyticsPassword,
          overrides: { referenceDataLoader: new InMemoryReferenceDataLoader() },
          app: { readinessTimeoutMs: 3000 },
        });
        const answers: string[] = [];
        try {
          const callback = host.app.callback();
          answers.push((await request(callback).post('/api/prospects').send(SIGN_UPS[0]).expect(503)).text);
          answers.push((await request(callback).post('/app/SignUp').type('form').send(SIGN_UPS[1]).expect(503)).text);
          answers.push((await request(callback).get('/health/ready').expect(503)).text);
        } finally {
          await host.stop();
        }
        expect(captured.lines.some((line) => line.includes('Connecting to database: ') && line.includes('***'))).to.equal(true);
        expectMasked(captured.lines, [DB_PASSWORD], EMAILS);
        for (const answer of answers) {
          expect(answer).to.not.contain(DB_PASSWORD);
          expect(answer).to.not.contain(EMAILS[0]);
        }
      });
    }

    it('keeps the password out of the one-line configuration error for a malformed connection string', async () => {
      const failure = await startFailure(
        { ConnectionStrings__SignUpDb: `postgres://signup:${DB_PASSWORD}@127.0.0.1:notaport/signup` },
        capturingLogger().logger,
      );
      expect(failure).to.be.instanceOf(ConfigurationError);
      expect((failure as Error).message).to.contain('ConnectionStrings:SignUpDb');
      expect((failure as Error).message).to.not.contain(DB_PASSWORD);
    });
  });
});
