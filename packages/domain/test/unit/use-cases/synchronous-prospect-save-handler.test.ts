import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import sinon from 'sinon';
import {
  DatabaseUnavailableError,
  type IProspectRepository,
  type ProspectSignedUpEvent,
  type SavedProspect,
  SynchronousProspectSaveHandler,
} from '../../../src/index.js';

const EVENT: ProspectSignedUpEvent = Object.freeze({
  correlationId: '0f8fad5b-d9cb-469f-a165-70867728950e',
  signedUpAt: new Date('2026-11-23T10:00:00.000Z'),
  prospect: {
    firstName: 'Jane', lastName: 'Doe', companyName: '', emailAddress: 'jane@example.com',
    country: { countryCode: '-', countryName: '--Not telling' }, role: { roleCode: '-', roleName: '--Not telling' },
  },
});

describe('SynchronousProspectSaveHandler', () => {
  let sandbox: sinon.SinonSandbox;
  let save: sinon.SinonStub<[ProspectSignedUpEvent], Promise<SavedProspect>>;
  let saveMany: sinon.SinonStub<[readonly ProspectSignedUpEvent[]], Promise<SavedProspect[]>>;
  let handler: SynchronousProspectSaveHandler;

  beforeEach(() => {
    sandbox = sinon.createSandbox();
    save = sandbox.stub<[ProspectSignedUpEvent], Promise<SavedProspect>>();
    saveMany = sandbox.stub<[readonly ProspectSignedUpEvent[]], Promise<SavedProspect[]>>();
    const repository: IProspectRepository = { save, saveMany };
    handler = new SynchronousProspectSaveHandler(repository);
  });

  afterEach(() => {
    sandbox.restore();
  });

  it('is named as in configuration', () => {
    expect(handler.name).to.equal('SynchronousProspectSaveHandler');
  });

  describe('save', () => {
    it('stores the event in the repository and reports it saved with its id', async () => {
      save.resolves({ correlationId: EVENT.correlationId, prospectId: 42, created: true });
      expect(await handler.save(EVENT)).to.deep.equal({ status: 'saved', correlationId: EVENT.correlationId, prospectId: 42 });
      expect(save.calledOnceWithExactly(EVENT)).to.equal(true);
      expect(saveMany.called).to.equal(false);
    });

    it('reports the existing row when the event was already stored', async () => {
      save.resolves({ correlationId: EVENT.correlationId, prospectId: 7, created: false });
      expect(await handler.save(EVENT)).to.deep.equal({ status: 'saved', correlationId: EVENT.correlationId, prospectId: 7 });
    });

    it('lets DatabaseUnavailableError through', async () => {
      save.rejects(new DatabaseUnavailableError('Database down'));
      const error: unknown = await handler.save(EVENT).then(() => undefined, (reason: unknown) => reason);
      expect(error).to.be.instanceOf(DatabaseUnavailableError);
    });
  });
});
