import { expect } from 'chai';
import { afterEach, beforeEach, describe, it } from 'mocha';
import sinon from 'sinon';
import {
  type IProspectSaveHandler,
  type IReferenceDataLoader,
  type ProspectSaveResult,
  type ProspectSignedUpEvent,
  ProspectInvalidError,
  QueueUnavailableError,
  ReferenceData,
  SignUpProspect,
} from '../../../src/index.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/u;
const INPUT = Object.freeze({ firstName: ' Jane ', lastName: 'Doe', emailAddress: 'jane@example.com', countryCode: 'GBR', roleCode: 'EN' });

describe('SignUpProspect', () => {
  let sandbox: sinon.SinonSandbox;
  let load: sinon.SinonStub<[], Promise<ReferenceData>>;
  let save: sinon.SinonStub<[ProspectSignedUpEvent], Promise<ProspectSaveResult>>;
  let useCase: SignUpProspect;

  beforeEach(() => {
    sandbox = sinon.createSandbox();
    load = sandbox.stub<[], Promise<ReferenceData>>().resolves(ReferenceData.defaults());
    save = sandbox.stub<[ProspectSignedUpEvent], Promise<ProspectSaveResult>>()
      .callsFake((event) => Promise.resolve({ status: 'queued', correlationId: event.correlationId }));
    const referenceData: IReferenceDataLoader = { load };
    const saveHandler: IProspectSaveHandler = { name: 'AsynchronousProspectSaveHandler', save };
    useCase = new SignUpProspect(referenceData, saveHandler);
  });

  afterEach(() => {
    sandbox.restore();
  });

  describe('execute', () => {
    it('hands the validated prospect to the save handler and returns its result', async () => {
      const signedUpAt = new Date('2026-11-23T10:00:00.000Z');
      const result = await useCase.execute(INPUT, { signedUpAt });
      expect(save.calledOnce).to.equal(true);
      const event = save.firstCall.args[0];
      expect(event.signedUpAt).to.equal(signedUpAt);
      expect(event.prospect).to.deep.equal({
        firstName: 'Jane',
        lastName: 'Doe',
        emailAddress: 'jane@example.com',
        companyName: '',
        country: { countryCode: 'GBR', countryName: 'United Kingdom' },
        role: { roleCode: 'EN', roleName: 'Engineer' },
      });
      expect(result).to.deep.equal({ status: 'queued', correlationId: event.correlationId });
    });

    it('validates against the loaded reference data before saving', async () => {
      await useCase.execute(INPUT);
      expect(load.calledOnce).to.equal(true);
      expect(load.calledBefore(save)).to.equal(true);
    });

    it('throws ProspectInvalidError for invalid input and never calls the save handler', async () => {
      const error: unknown = await useCase.execute({ ...INPUT, emailAddress: 'nope' }).then(() => undefined, (reason: unknown) => reason);
      expect(error).to.be.instanceOf(ProspectInvalidError);
      expect((error as ProspectInvalidError).errors).to.have.all.keys('emailAddress');
      expect(save.called).to.equal(false);
    });

    it('uses the given correlation id, lowercased', async () => {
      await useCase.execute(INPUT, { correlationId: '0F8FAD5B-D9CB-469F-A165-70867728950E' });
      expect(save.firstCall.args[0].correlationId).to.equal('0f8fad5b-d9cb-469f-a165-70867728950e');
    });

    it('refuses a correlation id that is not a UUID, before loading or saving anything', async () => {
      for (const correlationId of ['', 'abc', '0f8fad5b-d9cb-469f-a165-70867728950e; DROP TABLE']) {
        const error: unknown = await useCase.execute(INPUT, { correlationId }).then(() => undefined, (reason: unknown) => reason);
        expect(error).to.be.instanceOf(TypeError);
      }
      expect(load.called).to.equal(false);
      expect(save.called).to.equal(false);
    });

    it('makes up a new UUID for each sign-up without one', async () => {
      await useCase.execute(INPUT);
      await useCase.execute(INPUT);
      const [first, second] = save.args.map(([event]) => event.correlationId);
      expect(first).to.match(UUID_V4);
      expect(second).to.match(UUID_V4);
      expect(first).not.to.equal(second);
    });

    it('stamps the sign-up with the current time when none is given', async () => {
      const clock = sandbox.useFakeTimers(new Date('2026-11-23T10:00:00.000Z'));
      await useCase.execute(INPUT);
      clock.restore();
      expect(save.firstCall.args[0].signedUpAt.toISOString()).to.equal('2026-11-23T10:00:00.000Z');
    });

    it('lets the save handler\'s error through', async () => {
      save.rejects(new QueueUnavailableError('No PubAck'));
      const error: unknown = await useCase.execute(INPUT).then(() => undefined, (reason: unknown) => reason);
      expect(error).to.be.instanceOf(QueueUnavailableError);
    });

    it('saves nothing when the reference data cannot be loaded', async () => {
      load.rejects(new Error('database down'));
      const error: unknown = await useCase.execute(INPUT).then(() => undefined, (reason: unknown) => reason);
      expect(error).to.be.instanceOf(Error).with.property('message', 'database down');
      expect(save.called).to.equal(false);
    });
  });
});
