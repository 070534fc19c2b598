import {
  AsynchronousProspectSaveHandler,
  CachingReferenceDataLoader,
  ConfigurationError,
  IEventPublisher,
  ILogger,
  IProspectRepository,
  IProspectSaveHandler,
  IReferenceDataLoader,
  ReferenceData,
  SaveProspectEventHandler,
  SignUpProspect,
  SynchronousProspectSaveHandler,
  type ProspectSignedUpEvent,
} from '@signup/domain';
import { expect } from 'chai';
import { Container, type Newable } from 'inversify';
import type { Knex } from 'knex';
import { after, afterEach, before, beforeEach, describe, it } from 'mocha';
import sinon from 'sinon';
import { Configuration, readSignUpSettings, type SignUpSettings } from '../../../src/config/index.js';
import { createSignUpModule, describeChosen, ReferenceDataSource } from '../../../src/di/index.js';
import { ApiReferenceDataLoader } from '../../../src/http/index.js';
import { createKnex, DatabaseReferenceDataLoader, SqlConnection } from '../../../src/sql/index.js';

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
    container.bind(IProspectRepository).toConstantValue(repository);
    container.bind(IEventPublisher).toConstantValue(publisher);
    container.bind(ILogger).toConstantValue({ debug() {}, info() {}, warn() {}, error() {} });
    container.load(createSignUpModule(settings).module);
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
        const { chosen, module } = createSignUpModule(settingsFrom({ 'Dependencies:IProspectSaveHandler': name }));
        const container = new Container();
        container.load(module);
        container.bind(IProspectRepository).toConstantValue(repository);
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
    it('binds SignUpProspect and SaveProspectEventHandler as singletons', () => {
      const container = containerFor(settingsFrom());

      expect(container.get(SignUpProspect)).to.be.instanceOf(SignUpProspect).and.to.equal(container.get(SignUpProspect));
      expect(container.get(SaveProspectEventHandler)).to.be.instanceOf(SaveProspectEventHandler)
        .and.to.equal(container.get(SaveProspectEventHandler));
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
});

describe('describeChosen', () => {
  it('puts the chosen mapping on one line', () => {
    const { chosen } = createSignUpModule(settingsFrom({ 'Dependencies:IProspectSaveHandler': 'SignUp.Web.ProspectSave.SynchronousProspectSaveHandler' }));

    expect(describeChosen(chosen))
      .to.equal('IProspectSaveHandler=SynchronousProspectSaveHandler, IReferenceDataLoader=DatabaseReferenceDataLoader');
  });
});
