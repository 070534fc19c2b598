import {
  AsynchronousProspectSaveHandler,
  CachingReferenceDataLoader,
  IEventPublisher,
  ILogger,
  IProspectAnalytics,
  IProspectIndex,
  IProspectRepository,
  IProspectSaveHandler,
  IReferenceDataLoader,
  ReferenceData,
  SignUpProspect,
  SynchronousProspectSaveHandler,
  type ProspectSignedUpEvent,
} from '@signup/domain';
import { ConfigurationError } from '../../../src/config/index.js';
import { expect } from 'chai';
import { Container, type Newable } from 'inversify';
import type { Knex } from 'knex';
import { after, afterEach, before, beforeEach, describe, it } from 'mocha';
import sinon from 'sinon';
import { Configuration, readSignUpSettings, type SignUpSettings } from '../../../src/config/index.js';
import { createSignUpModule, describeChosen, ReferenceDataSource, SIGN_UP_PROSPECT_PORTS } from '../../../src/di/index.js';
import { ElasticsearchConnection, ElasticsearchProspectIndex } from '../../../src/elasticsearch/index.js';
import { ApiReferenceDataLoader } from '../../../src/http/index.js';
import { InMemoryProspectRepository, InMemoryReferenceDataLoader } from '../../../src/memory/index.js';
import {
  AnalyticsSqlConnection, createKnex, DatabaseReferenceDataLoader, SqlConnection, SqlProspectIndex, SqlProspectRepository,
} from '../../../src/sql/index.js';

const API_URL = 'http://reference-data-api/api';

function settingsFrom(values: Record<string, string> = {}): SignUpSettings {
  return readSignUpSettings(Configuration.from(values));
}

const EVENT: ProspectSignedUpEvent = {
  correlationId: '0b7f4f0e-2f4b-4a53-9f5e-0d6f0c0c1a11',
  signedUpAt: new Date('2026-01-01T00:00:00Z'),
  prospect: {
    firstName: 'Jo',
    lastName: 'Bloggs',
    companyName: '',
    emailAddress: 'jo@example.com',
    country: { countryCode: '-', countryName: '--Not telling' },
    role: { roleCode: '-', roleName: '--Not telling' },
  },
};

describe('createSignUpModule', () => {
  const sandbox = sinon.createSandbox();
  let knex: Knex;
  let repository: { save: sinon.SinonStub; saveMany: sinon.SinonStub };
  let publisher: { publish: sinon.SinonStub };

  before(() => {
    knex = createKnex('sqlite::memory:');
  });

  after(async () => {
    await knex.destroy();
  });

  beforeEach(() => {
    repository = {
      save: sandbox.stub().resolves({ correlationId: EVENT.correlationId, prospectId: 7, created: true }),
      saveMany: sandbox.stub().resolves([]),
    };
    publisher = { publish: sandbox.stub().resolves() };
  });

  afterEach(() => {
    sandbox.restore();
  });

  /** A container with the infrastructure a host binds, as fakes, and the module under test. */
  function containerFor(settings: SignUpSettings): Container {
    const container = new Container();
    container.bind(SqlConnection).toConstantValue(knex);
    container.bind(IEventPublisher).toConstantValue(publisher);
    container.bind(ILogger).toConstantValue({ debug() {}, info() {}, warn() {}, error() {} });
    container.load(createSignUpModule(settings, { overrides: { IProspectRepository: repository } }).module);
    return container;
  }

  describe('IProspectSaveHandler', () => {
    const names: [string, Newable<IProspectSaveHandler>][] = [
      ['SynchronousProspectSaveHandler', SynchronousProspectSaveHandler],
      ['SignUp.Web.ProspectSave.SynchronousProspectSaveHandler', SynchronousProspectSaveHandler],
      ['synchronousprospectsavehandler', SynchronousProspectSaveHandler],
      ['AsynchronousProspectSaveHandler', AsynchronousProspectSaveHandler],
      ['SignUp.Web.ProspectSave.AsynchronousProspectSaveHandler', AsynchronousProspectSaveHandler],
      ['SIGNUP.WEB.PROSPECTSAVE.ASYNCHRONOUSPROSPECTSAVEHANDLER', AsynchronousProspectSaveHandler],
    ];

    for (const [name, implementation] of names) {
      it(`binds ${implementation.name} for ${name}`, () => {
        const { chosen, module } = createSignUpModule(
          settingsFrom({ 'Dependencies:IProspectSaveHandler': name }),
          { overrides: { IProspectRepository: repository } },
        );
        const container = new Container();
        container.load(module);
        container.bind(IEventPublisher).toConstantValue(publisher);

        expect(container.get<IProspectSaveHandler>(IProspectSaveHandler)).to.be.instanceOf(implementation);
        expect(chosen.IProspectSaveHandler).to.equal(implementation.name);
      });
    }

    it('binds the asynchronous handler when nothing is configured', () => {
      const { chosen } = createSignUpModule(settingsFrom());

      expect(containerFor(settingsFrom()).get<IProspectSaveHandler>(IProspectSaveHandler)).to.be.instanceOf(AsynchronousProspectSaveHandler);
      expect(chosen.IProspectSaveHandler).to.equal('AsynchronousProspectSaveHandler');
    });

    it('gives the synchronous handler the host\'s repository', async () => {
      const container = containerFor(settingsFrom({ 'Dependencies:IProspectSaveHandler': 'SynchronousProspectSaveHandler' }));

      const result = await container.get<IProspectSaveHandler>(IProspectSaveHandler).save(EVENT);

      expect(result).to.deep.equal({ status: 'saved', correlationId: EVENT.correlationId, prospectId: 7 });
      expect(repository.save.calledOnceWithExactly(EVENT)).to.equal(true);
    });

    it('gives the asynchronous handler the host\'s publisher', async () => {
      const container = containerFor(settingsFrom({ 'Dependencies:IProspectSaveHandler': 'AsynchronousProspectSaveHandler' }));

      const result = await container.get<IProspectSaveHandler>(IProspectSaveHandler).save(EVENT);

      expect(result).to.deep.equal({ status: 'queued', correlationId: EVENT.correlationId });
      expect(publisher.publish.calledOnceWithExactly(EVENT)).to.equal(true);
    });

    it('binds it as a singleton', () => {
      const container = containerFor(settingsFrom());

      expect(container.get<IProspectSaveHandler>(IProspectSaveHandler)).to.equal(container.get<IProspectSaveHandler>(IProspectSaveHandler));
    });
  });

  describe('IReferenceDataLoader', () => {
    const names: [string, Newable<IReferenceDataLoader>][] = [
      ['DatabaseReferenceDataLoader', DatabaseReferenceDataLoader],
      ['SignUp.Web.ReferenceData.DatabaseReferenceDataLoader', DatabaseReferenceDataLoader],
      ['databasereferencedataloader', DatabaseReferenceDataLoader],
      ['ApiReferenceDataLoader', ApiReferenceDataLoader],
      ['SignUp.Web.ReferenceData.ApiReferenceDataLoader', ApiReferenceDataLoader],
      ['signup.web.referencedata.apireferencedataloader', ApiReferenceDataLoader],
    ];

    for (const [name, implementation] of names) {
      it(`binds ${implementation.name} behind a cache for ${name}`, () => {
        const settings = settingsFrom({ 'Dependencies:IReferenceDataLoader': name, 'ReferenceDataApi:Url': API_URL });
        const container = containerFor(settings);

        expect(container.get<IReferenceDataLoader>(IReferenceDataLoader)).to.be.instanceOf(CachingReferenceDataLoader);
        expect(container.get<IReferenceDataLoader>(ReferenceDataSource)).to.be.instanceOf(implementation);
        expect(createSignUpModule(settings).chosen.IReferenceDataLoader).to.equal(implementation.name);
      });
    }

    it('binds the database loader when nothing is configured', () => {
      const container = containerFor(settingsFrom());

      expect(container.get<IReferenceDataLoader>(ReferenceDataSource)).to.be.instanceOf(DatabaseReferenceDataLoader);
      expect(createSignUpModule(settingsFrom()).chosen.IReferenceDataLoader).to.equal('DatabaseReferenceDataLoader');
    });

    it('loads from the chosen source once and then serves the cached data', async () => {
      const container = containerFor(settingsFrom());
      const load = sandbox.stub(container.get<IReferenceDataLoader>(ReferenceDataSource), 'load').resolves(ReferenceData.defaults());
      const loader = container.get<IReferenceDataLoader>(IReferenceDataLoader);

      await loader.load();
      const data = await loader.load();

      expect(load.callCount).to.equal(1);
      expect(data.country('GBR')?.countryName).to.equal('United Kingdom');
      expect(container.get<IReferenceDataLoader>(IReferenceDataLoader)).to.equal(loader);
    });

    it('refuses the API loader without ReferenceDataApi:Url, naming that key', () => {
      const settings = settingsFrom({ 'Dependencies:IReferenceDataLoader': 'ApiReferenceDataLoader' });

      expect(() => createSignUpModule(settings)).to.throw(ConfigurationError, /^ReferenceDataApi:Url is not set/)
        .with.property('key', 'ReferenceDataApi:Url');
    });
  });

  describe('use cases', () => {
    it('binds SignUpProspect as a singleton over the chosen save handler, reaching only its ports', () => {
      const container = containerFor(settingsFrom({ 'Dependencies:IProspectSaveHandler': 'SynchronousProspectSaveHandler' }));

      expect(container.get(SignUpProspect)).to.be.instanceOf(SignUpProspect).and.to.equal(container.get(SignUpProspect));
      expect(createSignUpModule(settingsFrom(), { ports: SIGN_UP_PROSPECT_PORTS }).chosen)
        .to.deep.equal({ IProspectSaveHandler: 'AsynchronousProspectSaveHandler', IReferenceDataLoader: 'DatabaseReferenceDataLoader' });
    });
  });

  describe('unknown names', () => {
    it('throws a ConfigurationError listing the valid save handlers', () => {
      const settings = settingsFrom({ 'Dependencies:IProspectSaveHandler': 'Foo' });

      expect(() => createSignUpModule(settings)).to.throw(ConfigurationError,
        'Dependencies:IProspectSaveHandler = "Foo" is not a known implementation; use one of: '
        + 'SynchronousProspectSaveHandler, AsynchronousProspectSaveHandler (or their SignUp.Web.* full names)');
    });

    it('throws a ConfigurationError listing the valid reference-data loaders', () => {
      const settings = settingsFrom({ 'Dependencies:IReferenceDataLoader': 'SignUp.Web.ReferenceData.FileLoader' });

      expect(() => createSignUpModule(settings)).to.throw(ConfigurationError,
        'Dependencies:IReferenceDataLoader = "SignUp.Web.ReferenceData.FileLoader" is not a known implementation; '
        + 'use one of: DatabaseReferenceDataLoader, ApiReferenceDataLoader (or their SignUp.Web.* full names)');
    });
  });

  describe('IProspectIndex', () => {
    it('binds SqlProspectIndex as both the index and the analytics, one instance, on the analytics connection', () => {
      const signUp = createSignUpModule(settingsFrom(), { ports: ['IProspectIndex', 'IReferenceDataLoader'] });
      const container = new Container();
      container.bind(AnalyticsSqlConnection).toConstantValue(knex);
      container.bind(SqlConnection).toConstantValue(knex);
      container.bind(ILogger).toConstantValue({ debug() {}, info() {}, warn() {}, error() {} });
      container.load(signUp.module);

      expect(container.get(IProspectIndex)).to.be.instanceOf(SqlProspectIndex).and.to.equal(container.get(IProspectAnalytics));
      expect(signUp.chosen).to.deep.equal({ IProspectIndex: 'SqlProspectIndex', IReferenceDataLoader: 'DatabaseReferenceDataLoader' });
      expect(signUp.needs('analyticsDatabase')).to.equal(true);
      expect(signUp.needs('elasticsearch')).to.equal(false);
    });

    it('binds ElasticsearchProspectIndex as both ports when configured with Elasticsearch:Url, needing the cluster', () => {
      const settings = settingsFrom({ 'Dependencies:IProspectIndex': 'elasticsearchprospectindex', 'Elasticsearch:Url': 'http://es:9200' });
      const signUp = createSignUpModule(settings, { ports: ['IProspectIndex'] });
      const container = new Container();
      container.bind(ElasticsearchConnection).toConstantValue({ client: {} as never, index: 'prospects' });
      container.load(signUp.module);

      expect(container.get(IProspectIndex)).to.be.instanceOf(ElasticsearchProspectIndex).and.to.equal(container.get(IProspectAnalytics));
      expect(signUp.needs('elasticsearch')).to.equal(true);
      expect(signUp.needs('analyticsDatabase')).to.equal(false);
    });

    it('refuses ElasticsearchProspectIndex without Elasticsearch:Url, in one line naming the key', () => {
      const settings = settingsFrom({ 'Dependencies:IProspectIndex': 'ElasticsearchProspectIndex' });

      expect(() => createSignUpModule(settings, { ports: ['IProspectIndex'] })).to.throw(ConfigurationError,
        /^Elasticsearch:Url is not set but Dependencies:IProspectIndex is ElasticsearchProspectIndex; [^\n]+ or choose SqlProspectIndex$/)
        .with.property('key', 'Elasticsearch:Url');
    });

    it('names the accepted stores for an unknown one', () => {
      expect(() => createSignUpModule(settingsFrom({ 'Dependencies:IProspectIndex': 'Kibana' }))).to.throw(ConfigurationError,
        'Dependencies:IProspectIndex = "Kibana" is not a known implementation; use one of: SqlProspectIndex, ElasticsearchProspectIndex');
    });
  });

  describe('IProspectRepository', () => {
    it('binds SqlProspectRepository on the host\'s connection when nothing is configured', () => {
      const settings = settingsFrom();
      const container = new Container();
      container.bind(SqlConnection).toConstantValue(knex);
      container.load(createSignUpModule(settings).module);

      expect(container.get(IProspectRepository)).to.be.instanceOf(SqlProspectRepository);
      expect(createSignUpModule(settings).chosen.IProspectRepository).to.equal('SqlProspectRepository');
    });

    it('binds InMemoryProspectRepository when configured, needing no database', () => {
      const settings = settingsFrom({ 'Dependencies:IProspectRepository': 'inmemoryprospectrepository' });
      const signUp = createSignUpModule(settings, { ports: ['IProspectRepository'] });
      const container = new Container();
      container.load(signUp.module);

      expect(container.get(IProspectRepository)).to.be.instanceOf(InMemoryProspectRepository);
      expect(signUp.chosen).to.deep.equal({ IProspectRepository: 'InMemoryProspectRepository' });
      expect(signUp.needs('database')).to.equal(false);
      expect(signUp.warnings).to.deep.equal(['IProspectRepository=InMemoryProspectRepository keeps prospects in this process only: they are lost when it stops']);
    });

    it('has nothing to warn about for the defaults', () => {
      expect(createSignUpModule(settingsFrom()).warnings).to.deep.equal([]);
    });

    it('throws a ConfigurationError listing the valid repositories', () => {
      expect(() => createSignUpModule(settingsFrom({ 'Dependencies:IProspectRepository': 'Redis' }))).to.throw(ConfigurationError,
        'Dependencies:IProspectRepository = "Redis" is not a known implementation; use one of: SqlProspectRepository, InMemoryProspectRepository');
    });
  });

  describe('needs', () => {
    it('follows the ports the host resolves to what their implementations need', () => {
      const synchronous = createSignUpModule(
        settingsFrom({ 'Dependencies:IProspectSaveHandler': 'SynchronousProspectSaveHandler', 'Dependencies:IReferenceDataLoader': 'ApiReferenceDataLoader', 'ReferenceDataApi:Url': API_URL }),
        { ports: ['IProspectSaveHandler', 'IReferenceDataLoader'] },
      );

      expect(synchronous.chosen).to.deep.equal({
        IProspectSaveHandler: 'SynchronousProspectSaveHandler',
        IProspectRepository: 'SqlProspectRepository',
        IReferenceDataLoader: 'ApiReferenceDataLoader',
      });
      expect(synchronous.needs('database')).to.equal(true);
      expect(synchronous.needs('database', 'IProspectRepository')).to.equal(true);
      expect(synchronous.needs('database', 'IReferenceDataLoader')).to.equal(false);
      expect(synchronous.needs('eventPublisher')).to.equal(false);
    });

    it('leaves out the ports nothing resolves, and their needs', () => {
      const asynchronous = createSignUpModule(settingsFrom(), { ports: ['IProspectSaveHandler'] });

      expect(asynchronous.chosen).to.deep.equal({ IProspectSaveHandler: 'AsynchronousProspectSaveHandler' });
      expect(asynchronous.needs('eventPublisher')).to.equal(true);
      expect(asynchronous.needs('database')).to.equal(false);
    });

    it('checks every configured name, even of a port the host does not resolve', () => {
      expect(() => createSignUpModule(settingsFrom({ 'Dependencies:IProspectRepository': 'Redis' }), { ports: ['IProspectSaveHandler'] }))
        .to.throw(ConfigurationError).with.property('key', 'Dependencies:IProspectRepository');
    });

    it('binds an override as it is, reported as an override and needing nothing', () => {
      const loader = new InMemoryReferenceDataLoader();
      const signUp = createSignUpModule(settingsFrom(), { ports: ['IReferenceDataLoader'], overrides: { IReferenceDataLoader: loader } });
      const container = new Container();
      container.load(signUp.module);

      expect(container.get(IReferenceDataLoader)).to.equal(loader);
      expect(signUp.chosen).to.deep.equal({ IReferenceDataLoader: 'InMemoryReferenceDataLoader (override)' });
      expect(signUp.needs('database')).to.equal(false);
    });
  });
});

describe('describeChosen', () => {
  it('puts the chosen mapping on one line', () => {
    const { chosen } = createSignUpModule(settingsFrom({ 'Dependencies:IProspectSaveHandler': 'SignUp.Web.ProspectSave.SynchronousProspectSaveHandler' }));

    expect(describeChosen(chosen)).to.equal(
      'IProspectSaveHandler=SynchronousProspectSaveHandler, IProspectRepository=SqlProspectRepository, IReferenceDataLoader=DatabaseReferenceDataLoader, '
      + 'IProspectIndex=SqlProspectIndex',
    );
  });
});
