import { IHealthCheck, type ILogger } from '@signup/domain';
import { expect } from 'chai';
import { Container } from 'inversify';
import type { Knex } from 'knex';
import { describe, it } from 'mocha';
import { Configuration, readSignUpSettings, type SignUpSettings } from '../../../src/config/index.js';
import { createSignUpModule } from '../../../src/di/index.js';
import { openHostStores, ShutdownStack, type OpenHostStoresOptions } from '../../../src/hosting/index.js';
import { RecordingLogger } from '../../../src/memory/index.js';
import { AnalyticsSqlConnection, SqlConnection } from '../../../src/sql/index.js';

function settingsFrom(values: Record<string, string> = {}): SignUpSettings {
  return readSignUpSettings(Configuration.from(values));
}

/** Stand-ins for the I/O that record what was done, in order; `failCheck` makes the database check fail. */
function fakeIo(calls: string[], failCheck = false): Pick<OpenHostStoresOptions, 'createKnex' | 'migrateDatabase' | 'createHealthCheck'> {
  return {
    createKnex: ((connectionString: string) => {
      calls.push(`open ${connectionString}`);
      return { destroy: () => { calls.push(`destroy ${connectionString}`); return Promise.resolve(); } } as unknown as Knex;
    }) as never,
    migrateDatabase: () => { calls.push('migrate'); return Promise.resolve(); },
    createHealthCheck: () => ({
      name: 'database',
      check: () => { calls.push('check'); return failCheck ? Promise.reject(new Error('refused')) : Promise.resolve(); },
    }),
  };
}

function loaded(modules: Awaited<ReturnType<typeof openHostStores>>): Container {
  const container = new Container();
  container.load(...modules);
  return container;
}

describe('openHostStores', () => {
  const logger: ILogger = new RecordingLogger();

  it('opens nothing when no chosen implementation needs a store', async () => {
    const settings = settingsFrom({ 'Dependencies:IReferenceDataLoader': 'ApiReferenceDataLoader', 'ReferenceDataApi:Url': 'http://api/api' });
    const calls: string[] = [];
    const shutdown = new ShutdownStack(logger);

    const modules = await openHostStores(settings, createSignUpModule(settings, { ports: ['IReferenceDataLoader'] }), { logger, shutdown, ...fakeIo(calls) });

    expect(modules).to.deep.equal([]);
    expect(calls).to.deep.equal([]);
  });

  it('opens, checks and migrates the sign-up database, logs it masked, binds it with its readiness check, and shares it with the read model', async () => {
    const settings = settingsFrom({ 'ConnectionStrings:SignUpDb': 'postgres://signup:s3cret@db:5432/signup' });
    const calls: string[] = [];
    const recording = new RecordingLogger();
    const shutdown = new ShutdownStack(recording);

    const container = loaded(await openHostStores(settings, createSignUpModule(settings, { ports: ['IProspectRepository', 'IProspectIndex'] }), {
      logger: recording, shutdown, ...fakeIo(calls),
    }));
    expect(container.get(AnalyticsSqlConnection)).to.equal(container.get(SqlConnection));
    expect(container.getAll<IHealthCheck>(IHealthCheck).map((check) => check.name)).to.deep.equal(['database']);
    expect(await shutdown.run()).to.equal(true);

    expect(calls).to.deep.equal(['open postgres://signup:s3cret@db:5432/signup', 'check', 'migrate', 'destroy postgres://signup:s3cret@db:5432/signup']);
    expect(recording.lines.map((line) => line.message).join('\n')).to.include('Connecting to database: postgres://').and.not.include('s3cret');
  });

  it('neither checks the database at start nor binds its readiness when the host asks so, and migrates only with Database:Migrate', async () => {
    const settings = settingsFrom({ 'ConnectionStrings:SignUpDb': 'sqlite:./data/signup.db', 'Database:Migrate': 'false' });
    const calls: string[] = [];

    const container = loaded(await openHostStores(settings, createSignUpModule(settings, { ports: ['IReferenceDataLoader'] }), {
      logger, shutdown: new ShutdownStack(logger), requireDatabase: false, databaseReadiness: false, ...fakeIo(calls),
    }));

    expect(calls).to.deep.equal(['open sqlite:./data/signup.db']);
    expect(container.isBound(SqlConnection)).to.equal(true);
    expect(container.isBound(IHealthCheck)).to.equal(false);
  });

  it('opens a separate analytics database with its own readiness check, and closes both newest first', async () => {
    const settings = settingsFrom({ 'ConnectionStrings:SignUpDb': 'sqlite:./data/signup.db', 'ConnectionStrings:AnalyticsDb': 'sqlite:./data/analytics.db' });
    const calls: string[] = [];
    const shutdown = new ShutdownStack(logger);

    const container = loaded(await openHostStores(settings, createSignUpModule(settings, { ports: ['IProspectRepository', 'IProspectIndex'] }), {
      logger, shutdown, ...fakeIo(calls),
    }));
    await shutdown.run();

    expect(container.getAll<IHealthCheck>(IHealthCheck).map((check) => check.name)).to.deep.equal(['database', 'analytics-database']);
    expect(calls.filter((call) => call.startsWith('destroy'))).to.deep.equal(['destroy sqlite:./data/analytics.db', 'destroy sqlite:./data/signup.db']);
  });

  it('leaves the close step of a database that does not answer on the stack, and rejects', async () => {
    const settings = settingsFrom({ 'ConnectionStrings:SignUpDb': 'sqlite:./data/signup.db' });
    const calls: string[] = [];
    const shutdown = new ShutdownStack(logger);

    const failure = await openHostStores(settings, createSignUpModule(settings, { ports: ['IProspectRepository'] }), { logger, shutdown, ...fakeIo(calls, true) })
      .then(() => undefined, (error: unknown) => error);
    await shutdown.run();

    expect(failure).to.be.instanceOf(Error).with.property('message', 'refused');
    expect(calls).to.deep.equal(['open sqlite:./data/signup.db', 'check', 'destroy sqlite:./data/signup.db']);
  });
});
