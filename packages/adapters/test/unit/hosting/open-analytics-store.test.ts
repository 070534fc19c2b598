import { expect } from 'chai';
import { Container } from 'inversify';
import type { Knex } from 'knex';
import { describe, it } from 'mocha';
import { Configuration, readSignUpSettings, type SignUpSettings } from '../../../src/config/index.js';
import { createSignUpModule } from '../../../src/di/index.js';
import { openAnalyticsStore } from '../../../src/hosting/index.js';
import { ElasticsearchConnection } from '../../../src/elasticsearch/index.js';
import { RecordingLogger } from '../../../src/memory/index.js';
import { AnalyticsSqlConnection } from '../../../src/sql/index.js';

function settingsFrom(values: Record<string, string> = {}): SignUpSettings {
  return readSignUpSettings(Configuration.from(values));
}

/** A knex stand-in that records what is done with it. */
function fakeKnex(calls: string[], name: string): Knex {
  return { destroy: () => { calls.push(`${name}.destroy`); return Promise.resolve(); } } as unknown as Knex;
}

function fakeIo(calls: string[]): Pick<Parameters<typeof openAnalyticsStore>[2], 'createKnex' | 'migrateDatabase' | 'createHealthCheck'> {
  return {
    createKnex: ((connectionString: string) => { calls.push(`createKnex ${connectionString}`); return fakeKnex(calls, 'analytics'); }) as never,
    migrateDatabase: () => { calls.push('migrate'); return Promise.resolve(); },
    createHealthCheck: () => ({ name: 'database', check: () => { calls.push('check'); return Promise.resolve(); } }),
  };
}

describe('openAnalyticsStore', () => {
  it('opens nothing when no chosen implementation needs the analytics store', async () => {
    const settings = settingsFrom();
    const calls: string[] = [];

    const opened = await openAnalyticsStore(settings, createSignUpModule(settings, { ports: ['IProspectSaveHandler'] }), { logger: new RecordingLogger(), ...fakeIo(calls) });

    expect(opened).to.equal(undefined);
    expect(calls).to.deep.equal([]);
  });

  it('binds the sign-up connection as the analytics connection while ConnectionStrings:AnalyticsDb is unset, and leaves it open', async () => {
    const settings = settingsFrom();
    const calls: string[] = [];
    const signUpConnection = fakeKnex(calls, 'signup');

    const opened = await openAnalyticsStore(settings, createSignUpModule(settings, { ports: ['IProspectIndex'] }), { logger: new RecordingLogger(), signUpConnection, ...fakeIo(calls) });
    const container = new Container();
    container.load(opened!.module);
    await opened!.close();

    expect(container.get(AnalyticsSqlConnection)).to.equal(signUpConnection);
    expect(opened!.healthCheck).to.equal(undefined);
    expect(calls).to.deep.equal([]);
  });

  it('opens, checks and migrates ConnectionStrings:AnalyticsDb, logging it with the password masked, and destroys it at close', async () => {
    const settings = settingsFrom({ 'ConnectionStrings:AnalyticsDb': 'postgres://analyst:pa55word@db:5432/analytics' });
    const calls: string[] = [];
    const logger = new RecordingLogger();

    const opened = await openAnalyticsStore(settings, createSignUpModule(settings, { ports: ['IProspectIndex'] }), { logger, signUpConnection: fakeKnex(calls, 'signup'), ...fakeIo(calls) });
    await opened!.healthCheck!.check();
    await opened!.close();

    expect(calls).to.deep.equal(['createKnex postgres://analyst:pa55word@db:5432/analytics', 'check', 'migrate', 'check', 'analytics.destroy']);
    expect(opened!.healthCheck!.name).to.equal('analytics-database');
    expect(logger.lines.map((line) => line.message).join('\n')).to.include('Connecting to analytics database: postgres://').and.not.include('pa55word');
  });

  it('does not migrate the analytics database when Database:Migrate is false', async () => {
    const settings = settingsFrom({ 'ConnectionStrings:AnalyticsDb': 'sqlite:./data/analytics.db', 'Database:Migrate': 'false' });
    const calls: string[] = [];

    await (await openAnalyticsStore(settings, createSignUpModule(settings, { ports: ['IProspectIndex'] }), { logger: new RecordingLogger(), ...fakeIo(calls) }))!.close();

    expect(calls).to.deep.equal(['createKnex sqlite:./data/analytics.db', 'check', 'analytics.destroy']);
  });

  it('closes the analytics database again when it cannot be reached, and rethrows', async () => {
    const settings = settingsFrom({ 'ConnectionStrings:AnalyticsDb': 'postgres://db:5432/analytics' });
    const calls: string[] = [];
    const down = new Error('connection refused');

    let thrown: unknown;
    try {
      await openAnalyticsStore(settings, createSignUpModule(settings, { ports: ['IProspectIndex'] }), {
        logger: new RecordingLogger(), ...fakeIo(calls), createHealthCheck: () => ({ name: 'database', check: () => Promise.reject(down) }),
      });
    } catch (error) {
      thrown = error;
    }

    expect(thrown).to.equal(down);
    expect(calls).to.deep.equal(['createKnex postgres://db:5432/analytics', 'analytics.destroy']);
  });

  it('makes the Elasticsearch client, logging the cluster with the credentials masked, without a request', async () => {
    const settings = settingsFrom({
      'Dependencies:IProspectIndex': 'ElasticsearchProspectIndex', 'Elasticsearch:Url': 'http://es:9200', 'Elasticsearch:Username': 'elastic', 'Elasticsearch:Password': 'es-s3cret',
    });
    const logger = new RecordingLogger();

    const opened = await openAnalyticsStore(settings, createSignUpModule(settings, { ports: ['IProspectIndex'] }), { logger });
    const container = new Container();
    container.load(opened!.module);
    const connection = container.get<ElasticsearchConnection>(ElasticsearchConnection);
    await opened!.close();

    expect(connection.index).to.equal('prospects');
    expect(logger.lines.map((line) => line.message)).to.deep.equal(['Connecting to Elasticsearch: http://es:9200 (index prospects, user elastic)']);
  });
});
